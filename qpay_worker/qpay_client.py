"""Every HTTP call to QPay merchant API v2 (the behaviour relied on: docs/qpay.md).

Money-moving calls: ``refund_payment`` and ``cancel_payment`` return money to a card payer;
``cancel_invoice`` stops an invoice from being paid. ``create_invoice`` is never retried: QPay
does not dedupe ``sender_invoice_no``, so a blind retry could mint a second payable invoice.

Quirks encoded here: ``expires_in`` is an absolute Unix time (not a TTL); a 401 on any call
means the token is gone, so log in again once and repeat that one request; not found is 422;
amounts come back as strings or numbers; an unpaid payment/check has no ``paid_amount``.
"""

from __future__ import annotations

import logging
import threading
import time
from decimal import Decimal, InvalidOperation
from typing import Any

import requests

log = logging.getLogger("qpay_worker.qpay")

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
# The longest one call to QPay can keep the worker's answer waiting: the call itself and a login
# before it (a token renewed on the way). The web app waits longer than this for a refund
# (WORKER_REFUND_TIMEOUT_SECONDS, docs/deposits.md), so it does not give up on one QPay accepted.
CALL_WITH_LOGIN_SECONDS = 2 * (CONNECT_TIMEOUT + READ_TIMEOUT)
# Renew this long before QPay's absolute expiry, so a request never carries a dying token.
TOKEN_RENEW_MARGIN_SECONDS = 300


class QPayError(Exception):
    """Any failure talking to QPay: ``status`` is the HTTP status (None when QPay was unreachable),
    ``error`` QPay's error key (a string, or an object for field validation errors)."""

    def __init__(self, status: int | None, error: Any, message: str = ""):
        super().__init__(f"QPay {status}: {error} {message}".strip())
        self.status = status
        self.error = error
        self.message = message

    @property
    def unreachable(self) -> bool:
        return self.status is None or self.status >= 500


def amount(value: Any) -> Decimal:
    """QPay sends "100.00", 100 or 100.0 for the same thing; never go through float."""
    if value is None or value == "":
        return Decimal("0")
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise QPayError(200, "BAD_AMOUNT", f"unparseable amount {value!r}") from None
    if not result.is_finite():
        raise QPayError(200, "BAD_AMOUNT", f"unparseable amount {value!r}")
    return result


class QPayClient:
    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        invoice_code: str,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        renew_margin: int = TOKEN_RENEW_MARGIN_SECONDS,
    ):
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.invoice_code = invoice_code
        self.timeout = timeout
        self.renew_margin = renew_margin
        self._token: str | None = None
        self._expires_at: float = 0.0
        self._lock = threading.Lock()
        self._session = requests.Session()
        self.logins = 0  # for health output and tests

    # --- auth -------------------------------------------------------------------------------
    def _login(self) -> str:
        """POST /auth/token with Basic auth; caller holds the lock."""
        data = self._send("POST", "/auth/token", auth=(self.client_id, self.client_secret), bearer=False)
        token = data.get("access_token")
        if not token:
            raise QPayError(200, "NO_TOKEN", "auth/token answered without access_token")
        try:
            # Absolute epoch seconds, not a TTL (treating it as a TTL means never renewing).
            expires_at = float(data.get("expires_in"))
        except (TypeError, ValueError):
            expires_at = time.time() + 3600
        self._token, self._expires_at = token, expires_at
        self.logins += 1
        return token

    def token(self) -> str:
        with self._lock:
            if self._token is None or time.time() >= self._expires_at - self.renew_margin:
                return self._login()
            return self._token

    def _drop_token(self, stale: str) -> None:
        with self._lock:
            if self._token == stale:
                self._token = None

    # --- transport --------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, json: Any = None, auth=None, bearer: bool = True, token: str = ""):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._session.request(
                method, self.base_url + path, json=json, auth=auth, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise QPayError(None, "UNREACHABLE", type(exc).__name__) from exc
        try:
            data = response.json() if response.content else {}
        except ValueError:
            data = {}
        if response.status_code >= 400:
            error = data.get("error", f"HTTP_{response.status_code}") if isinstance(data, dict) else "?"
            message = data.get("message", "") if isinstance(data, dict) else ""
            raise QPayError(response.status_code, error, str(message))
        if not isinstance(data, dict):
            raise QPayError(response.status_code, "BAD_RESPONSE", "expected a JSON object")
        return data

    def _call(self, method: str, path: str, json: Any = None) -> dict:
        token = self.token()
        try:
            return self._send(method, path, json=json, token=token)
        except QPayError as exc:
            if exc.status != 401:
                raise
            # The token died early (revoked, clock skew): log in again once and repeat this request.
            # Safe even for POST /invoice: a 401 means QPay did not act on it.
            log.info("qpay answered 401 on %s %s; logging in again", method, path)
            self._drop_token(token)
            return self._send(method, path, json=json, token=self.token())

    # --- invoices ---------------------------------------------------------------------------
    def create_invoice(
        self,
        *,
        sender_invoice_no: str,
        amount_mnt: int,
        description: str,
        callback_url: str,
        expiry_date: str | None = None,
    ) -> dict:
        """POST /v2/invoice. Not idempotent at QPay and never retried on timeout or 5xx."""
        body = {
            "invoice_code": self.invoice_code,
            "sender_invoice_no": sender_invoice_no[:45],
            "invoice_receiver_code": "terminal",
            "invoice_description": description[:255],
            "amount": int(amount_mnt),
            "callback_url": callback_url,
        }
        if expiry_date:
            body["enable_expiry"] = False  # QPay does not enforce it; the web app cancels instead
            body["expiry_date"] = expiry_date
        return self._call("POST", "/invoice", body)

    def get_invoice(self, invoice_id: str) -> dict:
        return self._call("GET", f"/invoice/{invoice_id}")

    def cancel_invoice(self, invoice_id: str) -> dict:
        """DELETE /v2/invoice/{id}: the QR can no longer be paid (a payment may still race it)."""
        return self._call("DELETE", f"/invoice/{invoice_id}")

    # --- payments ---------------------------------------------------------------------------
    def check_payments(self, invoice_id: str) -> dict:
        """POST /v2/payment/check: the source of truth. One call, no polling."""
        return self._call(
            "POST",
            "/payment/check",
            {"object_type": "INVOICE", "object_id": invoice_id, "offset": {"page_number": 1, "page_limit": 100}},
        )

    def get_payment(self, payment_id: str) -> dict:
        return self._call("GET", f"/payment/{payment_id}")

    def refund_payment(self, payment_id: str, *, note: str = "") -> dict:
        """DELETE /v2/payment/refund/{id}: returns a CARD payment's money. P2P payments fail here."""
        return self._call("DELETE", f"/payment/refund/{payment_id}", {"note": note[:255]})

    def cancel_payment(self, payment_id: str, *, note: str = "") -> dict:
        """DELETE /v2/payment/cancel/{id}: voids a CARD payment."""
        return self._call("DELETE", f"/payment/cancel/{payment_id}", {"note": note[:255]})


def summarize_check(invoice_id: str, data: dict) -> dict:
    """Reduce a payment/check answer to what the web app needs, parsing amounts leniently.

    Only PAID rows count; REFUNDED/NEW/FAILED rows are reported but not summed. ``paid_amount``
    is absent when nothing was paid, so the sum of PAID rows is what counts. Every PAID row keeps
    its own id, type and amount in ``payments``: an invoice paid in parts (P2P then CARD) is
    refunded part by part, each its own way (docs/deposits.md). ``qpayPaymentId``/``paymentType``
    name the first row, for readers of the older single-payment shape.
    """
    rows = data.get("rows") or []
    paid_rows = [r for r in rows if isinstance(r, dict) and str(r.get("payment_status", "")).upper() == "PAID"]
    currencies = sorted({str(r.get("payment_currency") or "MNT").upper() for r in paid_rows})
    payments = [
        {
            "paymentId": str(r.get("payment_id", "")),
            "paymentType": str(r.get("payment_type", "")).upper(),
            "amount": str(amount(r.get("payment_amount"))),
            "currency": str(r.get("payment_currency") or "MNT").upper(),
            "paidAt": r.get("payment_date"),
        }
        for r in paid_rows
    ]
    total = sum((amount(r.get("payment_amount")) for r in paid_rows), Decimal("0"))
    first = payments[0] if payments else {}
    return {
        "qpayInvoiceId": invoice_id,
        "status": "paid" if paid_rows else "unpaid",
        "paidAmount": str(total),
        "currency": currencies[0] if len(currencies) == 1 else ("MIXED" if currencies else "MNT"),
        "qpayPaymentId": first.get("paymentId", ""),
        "paymentType": first.get("paymentType", ""),
        "paidAt": max((p["paidAt"] for p in payments if p["paidAt"]), default=None),
        "paymentIds": [p["paymentId"] for p in payments],
        "payments": payments,
        "count": int(data.get("count") or 0),
        "raw": data,
    }
