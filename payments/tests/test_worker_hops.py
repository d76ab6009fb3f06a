"""The signed hops between the web app and the QPay worker resist replay and reuse (docs/security.md).

Each test captures real messages as one side sends them (the web app's worker client, the worker
process's answers and notifications) and plays them back where an attacker on the private network
would: to another route, a second time, or in the other direction. Real worker and sandbox
processes, over HTTP.
"""

from __future__ import annotations

import json
import threading

import pytest
import requests
from django.test import Client

from payments import worker_client
from payments.tests.factories import TransactionFactory
from tattoo.core.errors import UpstreamUnavailable
from testing.qpay_worker import ThreadedServer, wait_for

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]


class Recorder:
    """A stand-in endpoint that keeps every request (path, raw body, headers) and answers {}."""

    def __init__(self):
        self.requests: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        with self.lock:
            self.requests.append({"path": environ["PATH_INFO"], "body": body, "headers": headers})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]


@pytest.fixture
def recorder():
    app = Recorder()
    with ThreadedServer(app) as server:
        app.url = server.url
        yield app


def captured(recorder, settings, call) -> dict:
    """What the web app's worker client sends for `call()`, captured instead of delivered."""
    real = settings.QPAY_WORKER_URL
    settings.QPAY_WORKER_URL = recorder.url
    try:
        with pytest.raises(UpstreamUnavailable):  # the recorder's answer is unsigned
            call()
    finally:
        settings.QPAY_WORKER_URL = real
    return recorder.requests[-1]


def send(base: str, path: str, message: dict) -> requests.Response:
    return requests.post(base + path, data=message["body"], headers=message["headers"], timeout=30)


def invoice_request(recorder, settings, *, notify_url: str, reference: str = "T777001", amount: int = 20000) -> dict:
    return captured(
        recorder,
        settings,
        lambda: worker_client.create_invoice(
            reference=reference,
            amount=amount,
            description="deposit",
            notify_url=notify_url,
            return_url="http://127.0.0.1/bookings/1",
            expires_at="2031-01-01T00:00:00+00:00",
            sender_invoice_no=f"INK-{reference}",
            booking_id=1,
        ),
    )


def test_a_signed_check_request_is_not_a_cancel_request(qpay_worker, recorder, settings):
    check = captured(recorder, settings, lambda: worker_client.check_invoice(qpay_invoice_id="INV-1"))
    assert check["path"] == "/worker/qpay/check"
    assert send(qpay_worker.worker_url, "/worker/qpay/cancel", check).status_code == 401
    assert send(qpay_worker.worker_url, "/worker/qpay/refund", check).status_code == 401


def test_a_signed_invoice_request_cannot_be_replayed(qpay_worker, recorder, settings):
    request = invoice_request(recorder, settings, notify_url=f"{recorder.url}/notify")
    before = qpay_worker.calls().get("POST /invoice", 0)
    assert send(qpay_worker.worker_url, "/worker/qpay/invoice", request).status_code == 201
    replay = send(qpay_worker.worker_url, "/worker/qpay/invoice", request)
    assert replay.status_code == 401
    assert qpay_worker.calls().get("POST /invoice", 0) == before + 1  # one QPay invoice, not two


def test_a_worker_answer_is_not_a_payment_notification(qpay_worker, recorder, settings):
    created = send(
        qpay_worker.worker_url, "/worker/qpay/invoice", invoice_request(recorder, settings, notify_url="http://x/")
    ).json()
    qpay_worker.pay(created["qpayInvoiceId"], callback="never")
    txn = TransactionFactory(qpay_invoice_id=created["qpayInvoiceId"])
    check = captured(
        recorder, settings, lambda: worker_client.check_invoice(qpay_invoice_id=txn.qpay_invoice_id, reference="T1")
    )
    answer = send(qpay_worker.worker_url, "/worker/qpay/check", check)
    assert answer.status_code == 200
    assert answer.json()["status"] == "paid"  # the notification's shape, signed by the worker
    headers = {k: v for k, v in answer.headers.items() if k.lower().startswith("webhook-")}
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    posted = Client().post("/api/payments/notify", data=answer.content, content_type="application/json", **meta)
    assert posted.status_code == 401
    txn.refresh_from_db()
    assert txn.status == "pending"


def test_a_payment_notification_cannot_be_replayed(qpay_worker, recorder, settings):
    txn = TransactionFactory()
    created = send(
        qpay_worker.worker_url,
        "/worker/qpay/invoice",
        invoice_request(
            recorder,
            settings,
            notify_url=f"{recorder.url}/api/payments/notify",
            reference=f"T{txn.pk}",
            amount=int(txn.amount),
        ),
    ).json()
    txn.qpay_invoice_id = created["qpayInvoiceId"]
    txn.save(update_fields=["qpay_invoice_id"])
    assert qpay_worker.pay(created["qpayInvoiceId"]).status_code == 200
    note = wait_for(lambda: next((r for r in recorder.requests if r["path"] == "/api/payments/notify"), None))
    assert json.loads(note["body"])["status"] == "paid"
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in note["headers"].items() if k.startswith("webhook-")}
    first = Client().post("/api/payments/notify", data=note["body"], content_type="application/json", **meta)
    assert first.status_code == 200, first.content
    txn.refresh_from_db()
    assert txn.status == "paid"
    replay = Client().post("/api/payments/notify", data=note["body"], content_type="application/json", **meta)
    assert replay.status_code == 401
