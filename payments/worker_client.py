"""The web app's one client for the QPay worker (every call signed, every answer verified).

Money-moving calls: ``refund_payment`` returns a card payment's money (``payment_status`` asks
whether it already did); ``cancel_invoice`` stops an invoice from being paid. ``create_invoice``
makes a payable QPay invoice and is never retried here (QPay does not dedupe; the caller's
pending-transaction claim is the idempotency guard).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

import qpay_signing as signing
from tattoo.core.errors import ApplicationError, ConflictError, UpstreamUnavailable

log = logging.getLogger("inkbook.payments.worker")


class WorkerRefused(ConflictError):
    """The worker (or QPay behind it) said no to a well-formed request, e.g. a P2P refund."""

    default_code = "qpay_refused"


def _post(path: str, payload: dict, *, timeout: float | None = None) -> dict:
    raw = json.dumps(payload, separators=(",", ":"), default=str).encode()
    # Signed for this method and path only, with a fresh message id the worker accepts once
    # (qpay_signing/__init__.py, docs/security.md).
    signature = signing.sign(raw, settings.WEB_TO_WORKER_SECRETS, direction=signing.TO_WORKER, method="POST", path=path)
    headers = {"Content-Type": "application/json", **signature}
    url = settings.QPAY_WORKER_URL + path
    wait = timeout or settings.WORKER_TIMEOUT_SECONDS
    try:
        response = requests.post(url, data=raw, headers=headers, timeout=(min(3.0, wait), wait))
    except requests.RequestException as exc:
        log.warning("worker %s unreachable: %s", path, type(exc).__name__)
        raise UpstreamUnavailable(_("The payment service is not reachable; try again shortly.")) from exc
    if response.status_code >= 500 or response.status_code == 401:
        # 401 here means the secrets disagree: an operations fault, not the caller's.
        log.error("worker %s answered %s", path, response.status_code)
        raise UpstreamUnavailable(_("The payment service is not available; try again shortly."))
    try:
        data: Any = response.json()
    except ValueError:
        raise UpstreamUnavailable(_("The payment service answered nonsense.")) from None
    if response.status_code >= 400:
        message = str(data.get("message", "")) if isinstance(data, dict) else ""
        if response.status_code == 409:
            raise WorkerRefused(message or _("QPay refused the request."))
        raise ApplicationError(message or _("The payment service refused the request."), code="worker_rejected")
    try:
        # The answer must be the worker's answer to this very request (same method, path and id).
        answered = signing.verify(
            response.content,
            response.headers,
            settings.WORKER_TO_WEB_SECRETS,
            direction=signing.ANSWER,
            method="POST",
            path=path,
        )
        if answered != signature[signing.ID_HEADER]:
            raise signing.SignatureError("answer to another request")
    except signing.SignatureError:
        log.error("worker %s answer failed signature verification", path)
        raise UpstreamUnavailable(_("The payment service answer could not be verified.")) from None
    if not isinstance(data, dict):
        raise UpstreamUnavailable(_("The payment service answered nonsense."))
    return data


def create_invoice(
    *,
    reference: str,
    amount: int,
    description: str,
    notify_url: str,
    return_url: str,
    expires_at: str,
    sender_invoice_no: str,
    booking_id: int,
) -> dict:
    return _post(
        "/worker/qpay/invoice",
        {
            "bookingId": booking_id,
            "reference": reference,
            "senderInvoiceNo": sender_invoice_no,
            "amount": amount,
            "description": description,
            "notifyUrl": notify_url,
            "returnUrl": return_url,
            "expiresAt": expires_at,
        },
    )


def check_invoice(*, qpay_invoice_id: str, reference: str = "") -> dict:
    """One payment/check through the worker; the answer has the notification's shape."""
    return _post("/worker/qpay/check", {"qpayInvoiceId": qpay_invoice_id, "reference": reference})


def cancel_invoice(*, qpay_invoice_id: str, reference: str = "") -> dict:
    return _post("/worker/qpay/cancel", {"qpayInvoiceId": qpay_invoice_id, "reference": reference})


def refund_payment(*, qpay_payment_id: str, note: str = "") -> dict:
    """MOVES MONEY. Waits WORKER_REFUND_TIMEOUT_SECONDS, longer than the worker may wait on QPay with
    a login, so an answer is not given up on while QPay is still refunding."""
    return _post(
        "/worker/qpay/refund",
        {"qpayPaymentId": qpay_payment_id, "note": note},
        timeout=settings.WORKER_REFUND_TIMEOUT_SECONDS,
    )


def payment_status(*, qpay_payment_id: str) -> str:
    """One payment's state at QPay: NEW, FAILED, PAID or REFUNDED (docs/qpay.md §4)."""
    answer = _post(
        "/worker/qpay/payment", {"qpayPaymentId": qpay_payment_id}, timeout=settings.WORKER_REFUND_TIMEOUT_SECONDS
    )
    return str(answer.get("paymentStatus") or "").upper()
