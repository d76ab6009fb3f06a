"""A QPay merchant API v2 stand-in for development and tests: ``python -m qpay_worker.sandbox``.

Speaks the paths, fields, errors and quirks QPay has (docs/qpay.md §8): Basic-auth token with an
*absolute* ``expires_in`` (lifetime configurable), 401 ``NO_CREDENDIALS`` (sic) on a bad bearer,
invoices with mixed string/number amounts and ``CANCELED`` (one L) after DELETE, 422 for not
found, ``payment/check`` without ``paid_amount`` when unpaid, card refunds OK and P2P refunds
refused, no dedupe of ``sender_invoice_no``.

Sandbox-only routes (other programs and tests drive payments through these):
* ``GET /sandbox/invoices/{id}``: an HTML page with a Pay button.
* ``POST /sandbox/invoices/{id}/pay``: optional JSON ``{amount, paymentType, currency, callback}``
  (default: the full amount, P2P, MNT, callback "once"; "twice"/"never" simulate duplicate and lost
  callbacks). Records the payment, closes the invoice when fully paid, then fires QPay's GET
  callback (``callback_url`` + ``qpay_payment_id``) and answers 200 with the payment.
* ``GET /sandbox/calls``: per-route call counters, payment/check calls per invoice and recorded
  callback replies (for tests).
* ``POST /sandbox/tokens/expire``: revoke every issued token (simulates QPay expiring them early).

State lives in memory, guarded by one lock.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import os
import re
import secrets
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs

import requests
import segno

from qpay_worker.server import serve
from qpay_worker.wsgi_util import Request, Response, html_response, json_response

log = logging.getLogger("qpay_worker.sandbox")

BANKS = [
    ("qPay wallet", "qPay хэтэвч", "qpaywallet"),
    ("Khan bank", "Хаан банк", "khanbank"),
    ("State bank", "Төрийн банк", "statebankmongolia"),
    ("Xac bank", "Хас банк", "xacbank"),
    ("Trade and Development bank", "Худалдаа хөгжлийн банк", "tdbbank"),
]

MESSAGES = {
    "NO_CREDENDIALS": "Нэвтрэх эрхгүй байна",
    "AUTHENTICATION_FAILED": "Хэрэглэгчийн нэр эсвэл нууц үг буруу",
    "INVOICE_NOTFOUND": "Нэхэмжлэл олдсонгүй",
    "INVOICE_PAID": "Нэхэмжлэл төлөгдсөн байна",
    "INVOICE_ALREADY_CANCELED": "Нэхэмжлэл цуцлагдсан байна",
    "INVOICE_CODE_INVALID": "Нэхэмжлэлийн код буруу",
    "PAYMENT_NOTFOUND": "Төлбөр олдсонгүй",
    "PAYMENT_SETTLED": "Төлбөр шилжсэн байна",
    "PAYMENT_ALREADY_CANCELED": "Төлбөр цуцлагдсан байна",
    "INVALID_AMOUNT": "Дүн буруу",
    "VALIDATION_ERROR": "Параметр буруу",
    "INVALID_OBJECT_TYPE": "Объектын төрөл буруу",
}


def qpay_error(status: int, key, message: str | None = None) -> Response:
    if isinstance(key, dict):
        return json_response(status, {"error": key, "message": message or MESSAGES["VALIDATION_ERROR"]})
    return json_response(status, {"error": key, "message": message or MESSAGES.get(key, key)})


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _crc16(data: bytes) -> str:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def emvco_text(invoice_id: str, amount: Decimal) -> str:
    """An EMVCo merchant-presented payload shaped like QPay's (tags, MN, ULAANBAATAR, CRC)."""
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")
        + _tlv("26", _tlv("00", "mn.qpay") + _tlv("01", invoice_id.replace("-", "")[:32]))
        + _tlv("52", "7299")
        + _tlv("53", "496")
        + _tlv("54", str(int(amount)))
        + _tlv("58", "MN")
        + _tlv("59", "INKBOOK SANDBOX")
        + _tlv("60", "ULAANBAATAR")
        + "6304"
    )
    return body + _crc16(body.encode())


def qr_png_base64(text: str) -> str:
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=4, border=2)
    return base64.b64encode(buf.getvalue()).decode()


class Sandbox:
    def __init__(
        self,
        *,
        client_id: str = "TEST_MERCHANT",
        client_secret: str = "sandbox-secret",  # noqa: S107 (the sandbox's published test merchant)
        invoice_code: str = "TEST_INVOICE",
        token_lifetime: int = 86400,
        public_url: str = "http://127.0.0.1:8002",
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.invoice_code = invoice_code
        self.token_lifetime = token_lifetime
        self.public_url = public_url.rstrip("/")
        self.lock = threading.RLock()
        self.tokens: dict[str, float] = {}  # access token -> absolute expiry
        self.refresh_tokens: dict[str, float] = {}
        self.invoices: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.short: dict[str, str] = {}
        self.calls: dict[str, int] = {}
        self.checks_by_invoice: dict[str, int] = {}  # payment/check calls per invoice (tests count them)
        self.callbacks: list[dict] = []

    # --- plumbing ---------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.route(request)
        except Exception:
            log.exception("sandbox error")
            response = qpay_error(500, "SYSTEM_BUSY", "Системийн алдаа")
        return response(start_response)

    def _count(self, key: str) -> None:
        with self.lock:
            self.calls[key] = self.calls.get(key, 0) + 1

    def route(self, request: Request) -> Response:
        p, m = request.path.rstrip("/") or "/", request.method
        if p == "/healthz":
            return json_response(200, {"status": "ok"})
        if p.startswith("/sandbox/") or p.startswith("/s/"):
            return self.route_sandbox(request, p, m)
        if not p.startswith("/v2/"):
            return qpay_error(404, "NOT_FOUND", "Not found")
        sub = p[len("/v2") :]
        label = re.sub(r"/[0-9a-fA-F-]{8,}$|/\d{6,}$", "/{id}", sub)
        self._count(f"{m} {label}")
        if sub == "/auth/token" and m == "POST":
            return self.auth_token(request)
        if sub == "/auth/refresh" and m == "POST":
            return self.auth_refresh(request)
        if not self._bearer_ok(request):
            return qpay_error(401, "NO_CREDENDIALS")
        body = self._json(request)
        if isinstance(body, Response):
            return body
        if sub == "/invoice" and m == "POST":
            return self.invoice_create(body)
        match = re.match(r"^/invoice/([^/]+)$", sub)
        if match and m == "GET":
            return self.invoice_get(match.group(1))
        if match and m == "DELETE":
            return self.invoice_cancel(match.group(1))
        if sub == "/payment/check" and m == "POST":
            return self.payment_check(body)
        match = re.match(r"^/payment/(refund|cancel)/([^/]+)$", sub)
        if match and m == "DELETE":
            return self.payment_refund(match.group(2), kind=match.group(1))
        match = re.match(r"^/payment/([^/]+)$", sub)
        if match and m == "GET":
            return self.payment_get(match.group(1))
        return qpay_error(404, "NOT_FOUND", "Not found")

    @staticmethod
    def _json(request: Request):
        if not request.body:
            return {}
        try:
            data = json.loads(request.body)
        except ValueError:
            return qpay_error(400, "VALIDATION_ERROR", "Invalid JSON")
        return data if isinstance(data, dict) else qpay_error(400, "VALIDATION_ERROR", "Body must be an object")

    # --- auth -------------------------------------------------------------------------------
    def _issue(self) -> dict:
        now = int(time.time())
        expires = now + self.token_lifetime
        access, refresh = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
        with self.lock:
            self.tokens[access] = expires
            self.refresh_tokens[refresh] = expires
        return {
            "token_type": "bearer",
            "refresh_expires_in": expires,  # equal to expires_in, as captured
            "refresh_token": refresh,
            "access_token": access,
            "expires_in": expires,  # an absolute Unix time, not a TTL
            "scope": "get_token",
            "not-before-policy": "0",
            "session_state": "sandbox",
        }

    def auth_token(self, request: Request) -> Response:
        header = request.header("Authorization")
        if not header.lower().startswith("basic "):
            return qpay_error(401, "AUTHENTICATION_FAILED")
        try:
            user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return qpay_error(401, "AUTHENTICATION_FAILED")
        if not (secrets.compare_digest(user, self.client_id) and secrets.compare_digest(password, self.client_secret)):
            return qpay_error(401, "AUTHENTICATION_FAILED")
        return json_response(200, self._issue())

    def auth_refresh(self, request: Request) -> Response:
        header = request.header("Authorization")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        with self.lock:
            expires = self.refresh_tokens.get(token)
        if not expires or expires <= time.time():
            return qpay_error(401, "NO_CREDENDIALS")
        return json_response(200, self._issue())

    def _bearer_ok(self, request: Request) -> bool:
        header = request.header("Authorization")
        if not header.lower().startswith("bearer "):
            return False
        with self.lock:
            expires = self.tokens.get(header[7:].strip())
        return bool(expires and expires > time.time())

    # --- invoices ---------------------------------------------------------------------------
    def invoice_create(self, body: dict) -> Response:
        required = {
            "invoice_code": 45,
            "sender_invoice_no": 45,
            "invoice_receiver_code": 45,
            "invoice_description": 255,
        }
        for field, limit in required.items():
            value = body.get(field)
            if not isinstance(value, str) or not value:
                return qpay_error(400, {"type": "REQUIRED", "field": field}, f"{field} is required")
            if len(value) > limit:
                return qpay_error(400, {"type": "MAX_LENGTH", "field": field}, f"{field} max {limit}")
        callback_url = body.get("callback_url")
        if not isinstance(callback_url, str) or not callback_url or len(callback_url) > 255:
            return qpay_error(400, {"type": "REQUIRED", "field": "callback_url"}, "callback_url is required")
        if body["invoice_code"] != self.invoice_code:
            return qpay_error(400, "INVOICE_CODE_INVALID")
        try:
            amount = Decimal(str(body.get("amount")))  # QPay tolerates numbers and numeric strings
        except (InvalidOperation, ValueError):
            return qpay_error(400, "INVALID_AMOUNT")
        if not amount.is_finite() or amount <= 0:
            return qpay_error(400, "INVALID_AMOUNT")
        invoice_id = str(uuid.uuid4())
        qr_text = emvco_text(invoice_id, amount)
        code = secrets.token_urlsafe(8)[:10]
        invoice = {
            "invoice_id": invoice_id,
            "invoice_status": "OPEN",
            "sender_invoice_no": body["sender_invoice_no"],
            "sender_branch_code": body.get("sender_branch_code"),
            "invoice_description": body["invoice_description"],
            "invoice_due_date": body.get("invoice_due_date"),
            "enable_expiry": bool(body.get("enable_expiry", False)),
            "expiry_date": body.get("expiry_date") or datetime.now(UTC).isoformat(),
            "allow_partial": bool(body.get("allow_partial", False)),
            "allow_exceed": bool(body.get("allow_exceed", False)),
            "callback_url": callback_url,
            "note": body.get("note"),
            "amount": amount,
            "qr_text": qr_text,
            "created": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        with self.lock:
            self.invoices[invoice_id] = invoice
            self.short[code] = invoice_id
        return json_response(
            200,
            {
                "invoice_id": invoice_id,
                "qr_text": qr_text,
                "qr_image": qr_png_base64(qr_text),
                "qPay_shortUrl": f"{self.public_url}/s/{code}",
                "urls": [
                    {
                        "name": name,
                        "description": desc,
                        "logo": f"{self.public_url}/sandbox/logo/{scheme}.png",
                        "link": f"{scheme}://q?qPay_QRcode={qr_text}",
                    }
                    for name, desc, scheme in BANKS
                ],
            },
        )

    def _paid_total(self, invoice_id: str) -> Decimal:
        return sum(
            (
                p["amount"]
                for p in self.payments.values()
                if p["invoice_id"] == invoice_id and p["status"] == "PAID" and p["currency"] == "MNT"
            ),
            Decimal("0"),
        )

    def invoice_get(self, invoice_id: str) -> Response:
        with self.lock:
            inv = self.invoices.get(invoice_id)
            if inv is None:
                return qpay_error(422, "INVOICE_NOTFOUND")
            amount = inv["amount"]
            data = {
                "invoice_id": inv["invoice_id"],
                "invoice_status": inv["invoice_status"],
                "sender_invoice_no": inv["sender_invoice_no"],
                "sender_branch_code": inv["sender_branch_code"],
                "sender_branch_data": None,
                "sender_staff_code": None,
                "sender_staff_data": None,
                "sender_terminal_code": None,
                "sender_terminal_data": None,
                "invoice_description": inv["invoice_description"],
                "invoice_due_date": inv["invoice_due_date"],
                "enable_expiry": inv["enable_expiry"],
                "expiry_date": inv["expiry_date"],
                "allow_partial": inv["allow_partial"],
                "minimum_amount": "0.00",
                "allow_exceed": inv["allow_exceed"],
                "maximum_amount": "0.00",
                # Mixed typing, as observed live: a string total, numeric gross/tax/etc.
                "total_amount": money(amount),
                "gross_amount": int(amount) if amount == amount.to_integral_value() else float(amount),
                "tax_amount": 0,
                "surcharge_amount": 0,
                "discount_amount": 0,
                "callback_url": inv["callback_url"],
                "note": inv["note"],
                "lines": [
                    {
                        "line_description": inv["invoice_description"],
                        "line_quantity": "1.00",
                        "line_unit_price": money(amount),
                        "note": "",
                        "discounts": [],
                        "surcharges": [],
                        "taxes": [],
                    }
                ],
                "transactions": [],
                "inputs": [],
            }
        return json_response(200, data)

    def invoice_cancel(self, invoice_id: str) -> Response:
        with self.lock:
            inv = self.invoices.get(invoice_id)
            if inv is None:
                return qpay_error(422, "INVOICE_NOTFOUND")
            if inv["invoice_status"] == "CLOSED":
                return qpay_error(400, "INVOICE_PAID")
            if inv["invoice_status"] == "CANCELED":
                return qpay_error(400, "INVOICE_ALREADY_CANCELED")
            inv["invoice_status"] = "CANCELED"  # one L on the wire, as observed
        return json_response(200, {})

    # --- payments ---------------------------------------------------------------------------
    @staticmethod
    def _check_row(p: dict) -> dict:
        fee = (p["amount"] * Decimal("0.01")).quantize(Decimal("0.01"))
        row = {
            "payment_id": p["payment_id"],
            "payment_status": p["status"],
            "payment_amount": money(p["amount"]),
            "trx_fee": money(fee),
            "payment_currency": p["currency"],
            "payment_wallet": "Хаан банк апп" if p["type"] == "P2P" else "qPay wallet",
            "payment_type": p["type"],
            "next_payment_date": None,
            "next_payment_datetime": None,
            "card_transactions": [],
            "p2p_transactions": [],
        }
        if p["type"] == "CARD":
            row["card_transactions"] = [
                {
                    "card_type": "UNIONPAY",
                    "is_cross_border": False,
                    "amount": money(p["amount"]),
                    "currency": p["currency"],
                    "date": p["date"],
                    "status": "SUCCESS",
                    "settlement_status": "PENDING",
                    "settlement_status_date": None,
                }
            ]
        else:
            row["p2p_transactions"] = [
                {
                    "id": str(secrets.randbelow(10**9)),
                    "transaction_bank_code": "050000",
                    "account_bank_code": "050000",
                    "account_bank_name": "Хаан банк",
                    "account_number": "50*******",
                    "status": "SUCCESS",
                    "amount": money(p["amount"] - fee),
                    "currency": p["currency"],
                    "settlement_status": "SETTLED",
                }
            ]
        return row

    def payment_check(self, body: dict) -> Response:
        if body.get("object_type") not in ("INVOICE", "QR", "ITEM"):
            return qpay_error(400, "INVALID_OBJECT_TYPE")
        offset = body.get("offset") or {}
        try:
            page, limit = int(offset.get("page_number", 1)), int(offset.get("page_limit", 100))
        except (TypeError, ValueError):
            return qpay_error(400, {"type": "NUMBER", "message": "offset must be numbers"})
        if limit < 1 or page < 1:
            return qpay_error(400, {"type": "MIN_NUMBER", "message": "Number min value [1]!"})
        invoice_id = str(body.get("object_id") or "")
        with self.lock:
            self.checks_by_invoice[invoice_id] = self.checks_by_invoice.get(invoice_id, 0) + 1
            rows = [self._check_row(p) for p in self.payments.values() if p["invoice_id"] == invoice_id]
            paid = self._paid_total(invoice_id)
        if not rows:
            return json_response(200, {"count": 0, "rows": []})  # no paid_amount when nothing paid
        page_rows = rows[(page - 1) * limit : page * limit]
        return json_response(
            200, {"count": len(rows), "paid_amount": int(paid) if paid == int(paid) else float(paid), "rows": page_rows}
        )

    def payment_get(self, payment_id: str) -> Response:
        with self.lock:
            p = self.payments.get(payment_id)
            if p is None:
                return qpay_error(422, "PAYMENT_NOTFOUND")
            row = self._check_row(p)
        return json_response(
            200,
            {
                "payment_id": p["payment_id"],
                "payment_status": p["status"],
                "payment_fee": row["trx_fee"],
                "payment_amount": row["payment_amount"],
                "payment_currency": p["currency"],
                "payment_date": p["date"],
                "payment_wallet": str(uuid.uuid5(uuid.NAMESPACE_URL, row["payment_wallet"])),
                "transaction_type": p["type"],
                "object_type": "INVOICE",
                "object_id": p["invoice_id"],
                "next_payment_date": None,
                "next_payment_datetime": None,
                "card_transactions": row["card_transactions"],
                "p2p_transactions": row["p2p_transactions"],
            },
        )

    def payment_refund(self, payment_id: str, *, kind: str) -> Response:
        with self.lock:
            p = self.payments.get(payment_id)
            if p is None:
                return qpay_error(422, "PAYMENT_NOTFOUND")
            if p["type"] != "CARD":
                return qpay_error(400, "PAYMENT_SETTLED")  # bank-app payments cannot be returned by API
            if p["status"] != "PAID":
                return qpay_error(400, "PAYMENT_ALREADY_CANCELED")
            p["status"] = "REFUNDED"
            inv = self.invoices.get(p["invoice_id"])
            if inv and inv["invoice_status"] == "CLOSED" and self._paid_total(inv["invoice_id"]) < inv["amount"]:
                inv["invoice_status"] = "OPEN"
        return json_response(200, {})

    # --- sandbox-only -----------------------------------------------------------------------
    def route_sandbox(self, request: Request, p: str, m: str) -> Response:
        if p == "/sandbox/calls" and m == "GET":
            with self.lock:
                return json_response(
                    200,
                    {
                        "calls": dict(self.calls),
                        "callbacks": list(self.callbacks),
                        "checksByInvoice": dict(self.checks_by_invoice),
                    },
                )
        if p == "/sandbox/tokens/expire" and m == "POST":
            with self.lock:
                self.tokens.clear()
            return json_response(200, {"expired": True})
        match = re.match(r"^/s/([A-Za-z0-9_-]+)$", p)
        if match and m == "GET":
            with self.lock:
                invoice_id = self.short.get(match.group(1))
            if not invoice_id:
                return qpay_error(422, "INVOICE_NOTFOUND")
            return Response(302, b"", "text/plain", {"Location": f"/sandbox/invoices/{invoice_id}"})
        match = re.match(r"^/sandbox/invoices/([^/]+)$", p)
        if match and m == "GET":
            return self.pay_page(match.group(1))
        match = re.match(r"^/sandbox/invoices/([^/]+)/pay$", p)
        if match and m == "POST":
            return self.pay(request, match.group(1))
        return qpay_error(404, "NOT_FOUND", "Not found")

    def pay_page(self, invoice_id: str) -> Response:
        with self.lock:
            inv = self.invoices.get(invoice_id)
            if inv is None:
                return html_response(404, "<!doctype html><title>Not found</title><p>No such invoice.</p>")
            paid = self._paid_total(invoice_id)
            inv = dict(inv)
        esc = html.escape
        qr = qr_png_base64(inv["qr_text"])
        button = (
            f'<form method="post" action="/sandbox/invoices/{esc(invoice_id)}/pay">'
            '<button type="submit">Pay</button></form>'
            if inv["invoice_status"] == "OPEN"
            else f"<p>This invoice is {esc(inv['invoice_status'])}.</p>"
        )
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>QPay sandbox: invoice {esc(invoice_id)}</title></head>
<body>
<h1>QPay sandbox</h1>
<p>{esc(inv["invoice_description"])}</p>
<p>Amount: <strong>{esc(money(inv["amount"]))} MNT</strong> (paid so far {esc(money(paid))} MNT)</p>
<p>Status: <strong id="status">{esc(inv["invoice_status"])}</strong></p>
<img alt="QR code" src="data:image/png;base64,{qr}">
{button}
</body></html>"""
        return html_response(200, page)

    def pay(self, request: Request, invoice_id: str) -> Response:
        options: dict = {}
        ctype = request.environ.get("CONTENT_TYPE", "")
        if request.body:
            if "json" in ctype:
                try:
                    options = json.loads(request.body)
                except ValueError:
                    return qpay_error(400, "VALIDATION_ERROR", "Invalid JSON")
            else:
                options = {k: v[-1] for k, v in parse_qs(request.body.decode(errors="replace")).items()}
        if not isinstance(options, dict):
            return qpay_error(400, "VALIDATION_ERROR", "Body must be an object")
        payment_type = str(options.get("paymentType") or "P2P").upper()
        currency = str(options.get("currency") or "MNT").upper()
        callback = str(options.get("callback") or "once")
        if payment_type not in ("P2P", "CARD") or callback not in ("once", "twice", "never"):
            return qpay_error(400, "VALIDATION_ERROR", "paymentType P2P|CARD, callback once|twice|never")
        with self.lock:
            inv = self.invoices.get(invoice_id)
            if inv is None:
                return qpay_error(422, "INVOICE_NOTFOUND")
            if inv["invoice_status"] != "OPEN":
                return qpay_error(
                    400, "INVOICE_PAID" if inv["invoice_status"] == "CLOSED" else "INVOICE_ALREADY_CANCELED"
                )
            remaining = inv["amount"] - self._paid_total(invoice_id)
            try:
                amount = Decimal(str(options["amount"])) if options.get("amount") not in (None, "") else remaining
            except (InvalidOperation, ValueError):
                return qpay_error(400, "INVALID_AMOUNT")
            if not amount.is_finite() or amount <= 0:
                return qpay_error(400, "INVALID_AMOUNT")
            payment_id = str(uuid.uuid4()) if payment_type == "CARD" else str(10**14 + secrets.randbelow(9 * 10**14))
            payment = {
                "payment_id": payment_id,
                "invoice_id": invoice_id,
                "amount": amount,
                "currency": currency,
                "type": payment_type,
                "status": "PAID",
                "date": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
            self.payments[payment_id] = payment
            if self._paid_total(invoice_id) >= inv["amount"]:
                inv["invoice_status"] = "CLOSED"
            callback_url = inv["callback_url"]
        sep = "&" if "?" in callback_url else "?"
        url = f"{callback_url}{sep}qpay_payment_id={payment_id}"
        for _ in range({"once": 1, "twice": 2, "never": 0}[callback]):
            self._fire_callback(url, payment_id)
        return json_response(
            200,
            {
                "payment_id": payment_id,
                "invoice_id": invoice_id,
                "payment_status": "PAID",
                "payment_amount": money(amount),
                "payment_currency": currency,
                "payment_type": payment_type,
                "payment_date": payment["date"],
            },
        )

    def _fire_callback(self, url: str, payment_id: str) -> None:
        """QPay calls the merchant with a plain GET; anything but 200 SUCCESS is recorded as a failure."""
        record = {"paymentId": payment_id, "status": None, "body": "", "ok": False}
        try:
            reply = requests.get(url, timeout=(3, 10))
            record.update(
                status=reply.status_code,
                body=reply.text[:200],
                ok=reply.status_code == 200 and reply.text.strip() == "SUCCESS",
            )
        except requests.RequestException as exc:
            record["body"] = type(exc).__name__
        if not record["ok"]:
            log.warning("callback for payment %s not acknowledged: %s %s", payment_id, record["status"], record["body"])
        with self.lock:
            self.callbacks.append(record)


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    port = int(os.environ.get("SANDBOX_PORT", "8002"))
    host = os.environ.get("SANDBOX_HOST", "127.0.0.1")
    app = Sandbox(
        client_id=os.environ.get("SANDBOX_CLIENT_ID", "TEST_MERCHANT"),
        client_secret=os.environ.get("SANDBOX_CLIENT_SECRET", "sandbox-secret"),
        invoice_code=os.environ.get("SANDBOX_INVOICE_CODE", "TEST_INVOICE"),
        token_lifetime=int(os.environ.get("SANDBOX_TOKEN_LIFETIME_SECONDS", "86400")),
        public_url=os.environ.get("SANDBOX_PUBLIC_URL", f"http://{host}:{port}"),
    )
    serve(app, host=host, port=port, name="sandbox")
    return 0


if __name__ == "__main__":
    sys.exit(main())
