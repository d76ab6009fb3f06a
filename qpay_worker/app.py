"""The QPay worker: the only process that talks to QPay and holds its credentials.

Routes (see docs/api.md "The QPay worker"):
* ``POST /worker/qpay/invoice``  (signed by the web app) create a QPay invoice.
* ``GET|POST /worker/qpay/webhook/{ref}/{token}`` QPay's callback; ``token`` is
  HMAC(QPAY_CALLBACK_SECRET, ref), so no store is needed to authenticate it. The callback is
  only a trigger: the truth comes from ``payment/check``; the result is forwarded, signed, to the
  web app's ``/api/payments/notify`` from a background thread with bounded retries.
* ``POST /worker/qpay/check`` (signed) one payment/check, answered synchronously and signed.
* ``POST /worker/qpay/cancel`` (signed) cancel an invoice, then check it once more.
* ``POST /worker/qpay/refund`` (signed) refund a CARD payment (QPay refuses P2P payments).
* ``POST /worker/qpay/payment`` (signed) one payment's state at QPay (``GET /v2/payment/{id}``):
  asked before a card refund is retried or handed to staff, since an earlier attempt whose answer
  was lost may have refunded it already.
* ``GET /worker/healthz``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import requests

import qpay_signing as signing
from qpay_worker.config import Config
from qpay_worker.qpay_client import QPayClient, QPayError, summarize_check
from qpay_worker.qpay_client import amount as qpay_amount
from qpay_worker.wsgi_util import BodyTooLarge, Request, Response, dumps, json_response, text_response

log = logging.getLogger("qpay_worker")
request_log = logging.getLogger("qpay_worker.request")

REF_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
INVOICE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
WEBHOOK_RE = re.compile(r"^/worker/qpay/webhook(?:/(?P<ref>[^/]+)/(?P<token>[^/]+))?/?$")
_TOKEN_IN_PATH = re.compile(r"(/webhook/[^/]+/)[^/]+")


def loggable_path(path: str) -> str:
    """The request path for a log line: the callback token is a bearer secret, so it never appears."""
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", path)[:200]


def callback_token(secret: str, ref: str) -> str:
    return hmac.new(secret.encode(), f"qpay-callback:{ref}".encode(), hashlib.sha256).hexdigest()[:40]


def _invoice_id(body: dict) -> tuple[str, Response | None]:
    """The web app's qpayInvoiceId, or a 400 answer when it is missing or not an invoice id."""
    invoice_id = str(body.get("qpayInvoiceId") or "")
    if INVOICE_ID_RE.match(invoice_id):
        return invoice_id, None
    body = {"code": "invalid", "message": "qpayInvoiceId is required.", "fields": {"qpayInvoiceId": ["Required."]}}
    return invoice_id, json_response(400, body)


def _payment_id(body: dict) -> tuple[str, Response | None]:
    """The web app's qpayPaymentId, or a 400 answer when it is missing or not a payment id."""
    payment_id = str(body.get("qpayPaymentId") or "")
    if re.match(r"^[A-Za-z0-9_-]{1,64}$", payment_id):
        return payment_id, None
    body = {"code": "invalid", "message": "qpayPaymentId is required.", "fields": {"qpayPaymentId": ["Required."]}}
    return payment_id, json_response(400, body)


class BoundedMap:
    """A small thread-safe LRU map: the worker's memory of recent invoices (lost on restart)."""

    def __init__(self, size: int = 10000):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def set(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def get(self, key, default=None):
        with self._lock:
            return self._data.get(key, default)


class Debouncer:
    """At most one run per key per window; callbacks inside the window coalesce into one trailing
    run, so the last callback of a burst is never lost and QPay is asked at most once per window."""

    def __init__(self, window: float):
        self.window = window
        self._lock = threading.Lock()
        self._state: dict[str, dict] = {}

    def submit(self, key: str, fn: Callable[[], None]) -> str:
        with self._lock:
            state = self._state.setdefault(key, {"last": float("-inf"), "scheduled": False})
            if state["scheduled"]:
                return "coalesced"
            state["scheduled"] = True
            delay = max(0.0, state["last"] + self.window - time.monotonic())
            if len(self._state) > 10000:
                cutoff = time.monotonic() - 3600
                for k in [k for k, s in self._state.items() if s["last"] < cutoff and not s["scheduled"]]:
                    del self._state[k]

        def run() -> None:
            with self._lock:
                state["scheduled"] = False
                state["last"] = time.monotonic()
            try:
                fn()
            except Exception:
                log.exception("background callback processing failed for %s", key)

        timer = threading.Timer(delay, run)
        timer.daemon = True
        timer.start()
        return "scheduled"


class WorkerApp:
    def __init__(self, config: Config, *, client: QPayClient | None = None):
        self.config = config
        self.qpay = client or QPayClient(
            base_url=config.qpay_base_url,
            client_id=config.qpay_client_id,
            client_secret=config.qpay_client_secret,
            invoice_code=config.qpay_invoice_code,
        )
        self.debouncer = Debouncer(config.debounce_seconds)
        self.invoices = BoundedMap()  # ref -> qpay invoice id
        self.notify_urls = BoundedMap()  # ref -> the web app's notify URL named at creation
        self.hints = BoundedMap()  # ref -> latest qpay_payment_id seen in a callback
        # Message ids of accepted requests, for the replay window (in memory: the worker has no
        # database; per process, see docs/security.md).
        self.seen_messages = signing.MemoryReplayGuard()
        self.stats = {"callbacks": 0, "checks": 0, "forwards": 0, "forward_failures": 0}
        self._stats_lock = threading.Lock()

    def _count(self, name: str) -> None:
        with self._stats_lock:
            self.stats[name] += 1

    # --- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request = Request(environ)
        try:
            response = self.route(request)
        except BodyTooLarge:
            response = json_response(413, {"code": "too_large", "message": "Body too large."})
        except Exception:
            log.exception("worker error on %s %s", request.method, loggable_path(request.path))
            response = json_response(500, {"code": "worker_error", "message": "Internal worker error."})
        # One line per request, like the web app's inkbook.request (no query string: QPay appends
        # qpay_payment_id there; no headers: they carry signatures).
        request_log.info(
            "request method=%s path=%s status=%s duration_ms=%.1f",
            request.method,
            loggable_path(request.path),
            response.status,
            (time.perf_counter() - started) * 1000,
        )
        return response(start_response)

    def route(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == "/worker/healthz":
            return json_response(200, {"status": "ok"})
        match = WEBHOOK_RE.match(path)
        if match:
            if method not in ("GET", "POST"):
                return text_response(405, "METHOD_NOT_ALLOWED")
            return self.webhook(request, match.group("ref"), match.group("token"))
        signed = {
            "/worker/qpay/invoice": self.create_invoice,
            "/worker/qpay/check": self.check,
            "/worker/qpay/cancel": self.cancel,
            "/worker/qpay/refund": self.refund,
            "/worker/qpay/payment": self.payment,
        }
        route = path.rstrip("/")
        handler = signed.get(route)
        if handler is None:
            return json_response(404, {"code": "not_found", "message": "No such route."})
        if method != "POST":
            return json_response(405, {"code": "method_not_allowed", "message": "POST only."})
        try:
            msg_id = signing.verify(
                request.body,
                signing.wsgi_headers(request.environ),
                self.config.request_secrets,
                direction=signing.TO_WORKER,
                method=method,
                path=route,
                replay_guard=self.seen_messages,
            )
        except signing.SignatureError as exc:
            log.warning("refused unsigned request to %s: %s", path, exc)
            return json_response(401, {"code": "bad_signature", "message": "Signature missing or invalid."})
        try:
            body = request.json()
        except ValueError:
            return json_response(400, {"code": "invalid", "message": "Body is not JSON."})
        if not isinstance(body, dict):
            return json_response(400, {"code": "invalid", "message": "Body must be a JSON object."})
        response = handler(body)
        if 200 <= response.status < 300:
            # Answers the web app applies are signed for this one request (its method, path, id).
            response.headers.update(
                signing.sign(
                    response.body,
                    self.config.notify_secrets,
                    direction=signing.ANSWER,
                    method=method,
                    path=route,
                    msg_id=msg_id,
                )
            )
        return response

    def signed_json(self, status: int, data: dict) -> Response:
        """An answer the web app applies: route() signs it for the request it answers."""
        return Response(status, dumps(data), "application/json")

    @staticmethod
    def _qpay_failure(exc: QPayError) -> Response:
        status = 502 if exc.unreachable or exc.status == 401 else 409
        return json_response(
            status,
            {
                "code": "qpay_error",
                "message": exc.message or str(exc.error),
                "qpayStatus": exc.status,
                "qpayError": exc.error,
            },
        )

    # --- invoice ----------------------------------------------------------------------------
    def create_invoice(self, body: dict) -> Response:
        booking_id = body.get("bookingId")
        # docs/api.md's minimal request names only the booking; the web app sends its transaction reference.
        ref = str(body.get("reference") or (f"B{booking_id}" if isinstance(booking_id, int) else ""))
        errors = {}
        if not REF_RE.match(ref):
            errors["reference"] = ["1-40 letters, digits, - or _."]
        try:
            amount = Decimal(str(body.get("amount")))
            if not amount.is_finite() or amount <= 0 or amount != amount.to_integral_value():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["amount"] = ["A positive whole number of MNT."]
        notify_url = str(body.get("notifyUrl") or "")
        if notify_url and not notify_url.startswith(("http://", "https://")):
            errors["notifyUrl"] = ["An http(s) URL."]
        if errors:
            return json_response(400, {"code": "invalid", "message": "Invalid invoice request.", "fields": errors})
        expires_at = body.get("expiresAt") or (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
        token = callback_token(self.config.callback_secrets[0], ref)
        callback_url = f"{self.config.public_url}/worker/qpay/webhook/{ref}/{token}"
        sender_invoice_no = str(body.get("senderInvoiceNo") or f"INK-{ref}")[:45]
        description = str(body.get("description") or f"Inkbook deposit {ref}")
        try:
            data = self.qpay.create_invoice(
                sender_invoice_no=sender_invoice_no,
                amount_mnt=int(amount),
                description=description,
                callback_url=callback_url,
                expiry_date=str(expires_at),
            )
        except QPayError as exc:
            log.warning("invoice create for %s failed: %s", ref, exc)
            return self._qpay_failure(exc)
        invoice_id = str(data.get("invoice_id") or "")
        if not invoice_id:
            return json_response(502, {"code": "qpay_error", "message": "QPay answered without invoice_id."})
        self.invoices.set(ref, invoice_id)
        if notify_url:
            self.notify_urls.set(ref, notify_url)
        qr_image = str(data.get("qr_image") or "")
        links = [
            {
                "name": u.get("name", ""),
                "description": u.get("description", ""),
                "logo": u.get("logo", ""),
                "link": u.get("link", ""),
            }
            for u in (data.get("urls") or [])
            if isinstance(u, dict)
        ]
        return self.signed_json(
            201,
            {
                "qpayInvoiceId": invoice_id,
                "reference": ref,
                "senderInvoiceNo": sender_invoice_no,
                # QPay's qr_image is raw base64 without a data: prefix.
                "qrUrl": f"data:image/png;base64,{qr_image}" if qr_image else "",
                "qrImage": qr_image,
                "qrText": str(data.get("qr_text") or ""),
                "checkoutUrl": str(data.get("qPay_shortUrl") or ""),
                "bankLinks": links,
                "expiresAt": str(expires_at),
            },
        )

    # --- callback ---------------------------------------------------------------------------
    def _token_ok(self, ref: str, token: str) -> bool:
        ok = False
        for secret in self.config.callback_secrets:
            ok |= hmac.compare_digest(callback_token(secret, ref).encode(), token.encode())
        return ok

    def webhook(self, request: Request, ref: str | None, token: str | None) -> Response:
        self._count("callbacks")
        if not ref or not token or not REF_RE.match(ref):
            log.warning("security: QPay callback without a reference; ignored")
            return text_response(200, "SUCCESS")
        if not self._token_ok(ref, token):
            # Not QPay (it only knows URLs we minted): refuse, and never spend a QPay call on it.
            log.warning("security: QPay callback for %s with a wrong secret; refused", ref)
            return text_response(403, "FORBIDDEN")
        payment_hint = (request.query.get("qpay_payment_id") or request.query.get("payment_id") or "").strip()
        if payment_hint and re.match(r"^[A-Za-z0-9_-]{1,64}$", payment_hint):
            self.hints.set(ref, payment_hint)
        # Acknowledge now; the check and the forward happen in the background (debounced).
        self.debouncer.submit(ref, lambda: self.process_callback(ref))
        return text_response(200, "SUCCESS")

    def _invoice_for(self, ref: str) -> str | None:
        invoice_id = self.invoices.get(ref)
        if invoice_id:
            return invoice_id
        payment_id = self.hints.get(ref)
        if not payment_id:
            return None
        # Restarted since the invoice was made: QPay's payment record names its invoice.
        payment = self.qpay.get_payment(payment_id)
        if str(payment.get("object_type", "")).upper() != "INVOICE":
            return None
        invoice_id = str(payment.get("object_id") or "")
        if invoice_id:
            self.invoices.set(ref, invoice_id)
        return invoice_id or None

    def process_callback(self, ref: str) -> None:
        try:
            invoice_id = self._invoice_for(ref)
        except QPayError as exc:
            log.warning("callback for %s: payment lookup failed: %s", ref, exc)
            return
        if not invoice_id:
            log.warning("callback for %s names no known invoice; ignored", ref)
            return
        self._count("checks")
        try:
            summary = summarize_check(invoice_id, self.qpay.check_payments(invoice_id))
        except QPayError as exc:
            log.warning("callback for %s: payment/check failed: %s", ref, exc)
            return
        if summary["status"] != "paid":
            log.info("callback for %s: QPay reports nothing paid; nothing forwarded", ref)
            return
        summary["reference"] = ref
        summary["checkedAt"] = datetime.now(UTC).isoformat()
        self.forward(ref, summary)

    def forward(self, ref: str, summary: dict) -> bool:
        url = self.config.web_notify_url or self.notify_urls.get(ref)
        if not url:
            log.error(
                "no notify URL for %s (set WEB_NOTIFY_URL); payment %s not forwarded", ref, summary.get("qpayPaymentId")
            )
            return False
        raw = dumps(summary)
        path = urlsplit(url).path
        delay = self.config.notify_backoff_seconds
        for attempt in range(1, self.config.notify_attempts + 1):
            # A fresh id and timestamp per attempt: the web app refuses an id it has seen (replay)
            # and applies the same payment once however often it arrives.
            headers = {
                "Content-Type": "application/json",
                **signing.sign(raw, self.config.notify_secrets, direction=signing.TO_WEB, method="POST", path=path),
            }
            try:
                response = requests.post(
                    url, data=raw, headers=headers, timeout=(3, self.config.notify_timeout_seconds)
                )
                status = response.status_code
            except requests.RequestException as exc:
                status = None
                log.warning("notify %s attempt %d: %s", ref, attempt, type(exc).__name__)
            if status is not None and 200 <= status < 300:
                self._count("forwards")
                return True
            if status is not None and 400 <= status < 500 and status not in (408, 409, 425, 429):
                log.error("notify %s refused with %s; not retrying", ref, status)
                self._count("forward_failures")
                return False
            if attempt < self.config.notify_attempts:
                time.sleep(delay)
                delay *= 2
        log.error("notify %s gave up after %d attempts", ref, self.config.notify_attempts)
        self._count("forward_failures")
        return False

    # --- internal calls from the web app ----------------------------------------------------
    def check(self, body: dict) -> Response:
        invoice_id, refusal = _invoice_id(body)
        if refusal is not None:
            return refusal
        self._count("checks")
        try:
            summary = summarize_check(invoice_id, self.qpay.check_payments(invoice_id))
        except QPayError as exc:
            return self._qpay_failure(exc)
        summary["reference"] = str(body.get("reference") or "")
        summary["checkedAt"] = datetime.now(UTC).isoformat()
        return self.signed_json(200, summary)

    def cancel(self, body: dict) -> Response:
        invoice_id, refusal = _invoice_id(body)
        if refusal is not None:
            return refusal
        cancelled, error = True, None
        try:
            self.qpay.cancel_invoice(invoice_id)
        except QPayError as exc:
            if exc.unreachable:
                return self._qpay_failure(exc)
            cancelled, error = False, exc.error  # e.g. INVOICE_PAID: the payment raced the cancel
        try:
            # A payment can race the cancel: look once more so it is not lost.
            summary = summarize_check(invoice_id, self.qpay.check_payments(invoice_id))
        except QPayError as exc:
            return self._qpay_failure(exc)
        summary["checkedAt"] = datetime.now(UTC).isoformat()
        summary["reference"] = str(body.get("reference") or "")
        return self.signed_json(200, {"cancelled": cancelled, "qpayError": error, "check": summary})

    def refund(self, body: dict) -> Response:
        payment_id, refusal = _payment_id(body)
        if refusal is not None:
            return refusal
        try:
            self.qpay.refund_payment(payment_id, note=str(body.get("note") or "Inkbook refund"))
        except QPayError as exc:
            log.warning("refund of %s failed: %s", payment_id, exc)
            return self._qpay_failure(exc)
        return self.signed_json(200, {"qpayPaymentId": payment_id, "refunded": True})

    def payment(self, body: dict) -> Response:
        payment_id, refusal = _payment_id(body)
        if refusal is not None:
            return refusal
        try:
            data = self.qpay.get_payment(payment_id)
        except QPayError as exc:
            log.warning("payment lookup of %s failed: %s", payment_id, exc)
            return self._qpay_failure(exc)
        return self.signed_json(
            200,
            {
                "qpayPaymentId": payment_id,
                # NEW, FAILED, PAID or REFUNDED (docs/qpay.md §4)
                "paymentStatus": str(data.get("payment_status") or "").upper(),
                "paymentType": str(data.get("transaction_type") or data.get("payment_type") or "").upper(),
                "amount": str(qpay_amount(data.get("payment_amount"))),
            },
        )


class _LazyApp:
    """``gunicorn qpay_worker.app:application``: configured from the environment on first use."""

    def __init__(self):
        self._app: WorkerApp | None = None
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if self._app is None:
            with self._lock:
                if self._app is None:
                    if not logging.getLogger().handlers:
                        # Under gunicorn nothing configures logging: without this the one-line
                        # request log (INFO) would be dropped.
                        logging.basicConfig(
                            level=os.environ.get("LOG_LEVEL", "INFO"),
                            format="%(asctime)s %(levelname)s %(name)s %(message)s",
                        )
                    self._app = WorkerApp(Config.from_env())
        return self._app(environ, start_response)


application = _LazyApp()

__all__ = ["WorkerApp", "application", "callback_token"]
