"""The worker's HTTP surface, run in-process against the sandbox process and a fake web app."""

import json
import logging
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
import time_machine

import qpay_signing as signing
from qpay_worker.app import WorkerApp, callback_token
from testing.qpay_worker import ThreadedServer, forged_variants, wait_for

TO_WORKER = ["worker-test-secret-new", "worker-test-secret-old"]  # the worker verifies requests with these
TO_WEB = ["web-test-secret-new", "web-test-secret-old"]  # ...and signs notifications and answers with these


class FakeWebApp:
    """Records signed notifications; answers with the statuses queued in `replies` (then 200)."""

    def __init__(self):
        self.received: list[dict] = []
        self.replies: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = signing.wsgi_headers(environ)
        try:
            signing.verify(body, headers, TO_WEB, direction=signing.TO_WEB, method="POST", path=environ["PATH_INFO"])
            valid = True
        except signing.SignatureError:
            valid = False
        with self.lock:
            self.received.append({"valid": valid, "body": json.loads(body), "id": headers["webhook-id"]})
            status = self.replies.pop(0) if self.replies else 200
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [b'{"result":"processed"}']


@pytest.fixture
def web():
    app = FakeWebApp()
    with ThreadedServer(app) as server:
        app.url = f"{server.url}/api/payments/notify"
        yield app


@pytest.fixture
def worker(qpay_stack, web):
    holder = {}

    def make(**overrides):
        config = qpay_stack.worker_config(
            request_secrets=tuple(TO_WORKER),
            notify_secrets=tuple(TO_WEB),
            web_notify_url=web.url,
            notify_backoff_seconds=0.05,
            **overrides,
        )
        app = WorkerApp(config)
        server = ThreadedServer(app).__enter__()
        holder.setdefault("servers", []).append(server)
        app.url = server.url
        return app

    yield make
    for server in holder.get("servers", []):
        server.__exit__(None, None, None)


def sign_for(url: str, body: bytes, secrets=TO_WORKER, **kw) -> dict:
    """Headers as the web app signs a request to the worker route `url`."""
    return signing.sign(body, secrets, direction=signing.TO_WORKER, method="POST", path=urlsplit(url).path, **kw)


def signed_post(url, payload, secrets=TO_WORKER):
    body = json.dumps(payload).encode()
    response = requests.post(url, data=body, headers=sign_for(url, body, secrets), timeout=30)
    response.request_id = response.request.headers[signing.ID_HEADER]
    return response


def make_invoice(app, ref, amount=50000):
    response = signed_post(f"{app.url}/worker/qpay/invoice", {"reference": ref, "amount": amount})
    assert response.status_code == 201, response.text
    answered = signing.verify(  # the answer is signed too, for this one request
        response.content,
        response.headers,
        TO_WEB,
        direction=signing.ANSWER,
        method="POST",
        path="/worker/qpay/invoice",
    )
    assert answered == response.request_id
    return response.json()


def qpay_calls(stack, name):
    return stack.calls().get(name, 0)


def test_it_creates_an_invoice_with_a_per_invoice_callback_secret(worker, qpay_stack):
    app = worker()
    body = make_invoice(app, "T9001")
    assert body["qrUrl"].startswith("data:image/png;base64,iVBOR")
    assert body["checkoutUrl"]
    assert body["bankLinks"]
    invoice = requests.get(f"{qpay_stack.sandbox_url}/sandbox/invoices/{body['qpayInvoiceId']}", timeout=10)
    assert invoice.status_code == 200
    assert app.invoices.get("T9001") == body["qpayInvoiceId"]


INVOICE = "/worker/qpay/invoice"


@pytest.mark.parametrize("variant", list(forged_variants(b"{}", ["x"], direction=signing.TO_WORKER, path=INVOICE)))
def test_it_refuses_forged_invoice_requests_without_calling_qpay(worker, qpay_stack, variant):
    app = worker()
    body = json.dumps({"reference": "T1", "amount": 100}).encode()
    forged_body, headers = forged_variants(
        body, TO_WORKER, direction=signing.TO_WORKER, path=INVOICE, other_secrets=TO_WEB
    )[variant]
    before = qpay_calls(qpay_stack, "POST /invoice")
    response = requests.post(f"{app.url}/worker/qpay/invoice", data=forged_body, headers=headers, timeout=10)
    assert response.status_code == 401
    assert qpay_calls(qpay_stack, "POST /invoice") == before


# The worker is another process with the real clock, so the request's own travel time counts:
# offsets sit 30 s either side of the 300 s tolerance (a loaded machine can take seconds per hop);
# the exact edges are tested in-process under a frozen clock (test_signing.py).
@pytest.mark.parametrize(("offset", "expected"), [(-330, 401), (330, 401), (-270, 201), (270, 201)])
def test_the_invoice_hop_holds_the_timestamp_tolerance(worker, offset, expected):
    app = worker()
    body = json.dumps({"reference": "T2", "amount": 100}).encode()
    headers = sign_for(INVOICE, body, timestamp=int(time.time()) + offset)
    assert (
        requests.post(f"{app.url}/worker/qpay/invoice", data=body, headers=headers, timeout=10).status_code == expected
    )


def test_it_accepts_the_second_secret_during_rotation(worker):
    app = worker()
    response = signed_post(f"{app.url}/worker/qpay/invoice", {"reference": "T3", "amount": 100}, secrets=[TO_WORKER[1]])
    assert response.status_code == 201


def test_bad_invoice_input_is_400(worker):
    app = worker()
    response = signed_post(f"{app.url}/worker/qpay/invoice", {"reference": "../x", "amount": "1.5"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"reference", "amount"}


def test_a_paid_callback_is_checked_and_forwarded_signed(worker, web, qpay_stack):
    app = worker()
    invoice = make_invoice(app, "T10")
    payment = qpay_stack.pay(invoice["qpayInvoiceId"], callback="never").json()
    reply = requests.get(
        f"{qpay_stack.callback_url('T10').replace(qpay_stack.worker_url, app.url)}"
        f"?qpay_payment_id={payment['payment_id']}",
        timeout=10,
    )
    assert (reply.status_code, reply.text) == (200, "SUCCESS")
    wait_for(lambda: web.received, timeout=30)
    note = web.received[0]
    assert note["valid"]
    body = note["body"]
    assert (body["status"], body["qpayInvoiceId"], body["qpayPaymentId"], body["paidAmount"], body["reference"]) == (
        "paid",
        invoice["qpayInvoiceId"],
        payment["payment_id"],
        "50000.00",
        "T10",
    )
    assert body["raw"]["rows"][0]["payment_id"] == payment["payment_id"]


def test_the_callback_url_secret_is_hmac_of_the_reference(qpay_stack):
    assert callback_token(qpay_stack.callback_secret, "T1") != callback_token(qpay_stack.callback_secret, "T2")
    assert len(callback_token(qpay_stack.callback_secret, "T1")) == 40


def test_a_forged_callback_is_refused_without_a_qpay_call(worker, web, qpay_stack):
    app = worker()
    invoice = make_invoice(app, "T11")
    qpay_stack.pay(invoice["qpayInvoiceId"], callback="never")
    before = qpay_stack.calls()
    reply = requests.get(f"{app.url}/worker/qpay/webhook/T11/{'0' * 40}?qpay_payment_id=1", timeout=10)
    assert reply.status_code == 403
    bare = requests.get(f"{app.url}/worker/qpay/webhook?qpay_payment_id=1", timeout=10)
    assert (bare.status_code, bare.text) == (200, "SUCCESS")
    assert qpay_stack.calls() == before
    assert web.received == []


def test_a_callback_for_an_unpaid_invoice_forwards_nothing(worker, web, qpay_stack):
    app = worker()
    make_invoice(app, "T12")
    url = qpay_stack.callback_url("T12").replace(qpay_stack.worker_url, app.url)
    assert requests.get(url, timeout=10).text == "SUCCESS"
    wait_for(lambda: app.stats["checks"] == 1, timeout=30)
    assert web.received == []


def test_a_burst_of_callbacks_costs_one_qpay_check(worker, web, qpay_stack):
    app = worker(debounce_seconds=3600)  # the whole burst falls inside one window
    invoice = make_invoice(app, "T13")
    qpay_stack.pay(invoice["qpayInvoiceId"], callback="never")
    before = qpay_calls(qpay_stack, "POST /payment/check")
    url = qpay_stack.callback_url("T13").replace(qpay_stack.worker_url, app.url)
    replies = [requests.get(url, timeout=10) for _ in range(50)]
    assert {(r.status_code, r.text) for r in replies} == {(200, "SUCCESS")}
    wait_for(lambda: web.received, timeout=30)
    assert qpay_calls(qpay_stack, "POST /payment/check") == before + 1
    assert len(web.received) == 1


def test_after_a_restart_the_invoice_is_found_from_the_payment_id(worker, web, qpay_stack):
    creator = worker()
    invoice = make_invoice(creator, "T14")
    payment = qpay_stack.pay(invoice["qpayInvoiceId"], callback="never").json()
    restarted = worker()  # no memory of T14
    url = qpay_stack.callback_url("T14").replace(qpay_stack.worker_url, restarted.url)
    requests.get(f"{url}?qpay_payment_id={payment['payment_id']}", timeout=10)
    wait_for(lambda: web.received, timeout=30)
    assert web.received[0]["body"]["qpayInvoiceId"] == invoice["qpayInvoiceId"]


def test_the_forward_retries_with_backoff_until_accepted(worker, web, qpay_stack):
    web.replies = [503, 502]
    app = worker()
    invoice = make_invoice(app, "T15")
    qpay_stack.pay(invoice["qpayInvoiceId"], callback="never")
    requests.get(qpay_stack.callback_url("T15").replace(qpay_stack.worker_url, app.url), timeout=10)
    wait_for(lambda: app.stats["forwards"] == 1, timeout=30)
    assert len(web.received) == 3
    # a fresh message id per attempt (the web app refuses an id it has seen), the same payment
    assert len({r["id"] for r in web.received}) == 3
    assert all(r["valid"] for r in web.received)
    assert len({r["body"]["qpayPaymentId"] for r in web.received}) == 1


def test_the_forward_gives_up_on_a_404_and_after_bounded_attempts(worker, web, qpay_stack):
    web.replies = [404]
    app = worker()
    invoice = make_invoice(app, "T16")
    qpay_stack.pay(invoice["qpayInvoiceId"], callback="never")
    requests.get(qpay_stack.callback_url("T16").replace(qpay_stack.worker_url, app.url), timeout=10)
    wait_for(lambda: app.stats["forward_failures"] == 1, timeout=30)
    assert len(web.received) == 1

    web.replies = [500] * 10
    app2 = worker(notify_attempts=4)
    invoice = make_invoice(app2, "T17")
    qpay_stack.pay(invoice["qpayInvoiceId"], callback="never")
    requests.get(qpay_stack.callback_url("T17").replace(qpay_stack.worker_url, app2.url), timeout=10)
    wait_for(lambda: app2.stats["forward_failures"] == 1, timeout=30)
    assert len(web.received) == 1 + 4


def test_check_cancel_and_refund_are_signed_internal_calls(worker, qpay_stack):
    app = worker()
    unsigned = requests.post(f"{app.url}/worker/qpay/check", json={"qpayInvoiceId": "x"}, timeout=10)
    assert unsigned.status_code == 401

    open_invoice = make_invoice(app, "T18")["qpayInvoiceId"]
    check = signed_post(f"{app.url}/worker/qpay/check", {"qpayInvoiceId": open_invoice})
    assert check.json()["status"] == "unpaid"
    cancel = signed_post(f"{app.url}/worker/qpay/cancel", {"qpayInvoiceId": open_invoice}).json()
    assert (cancel["cancelled"], cancel["check"]["status"]) == (True, "unpaid")

    card_invoice = make_invoice(app, "T19")["qpayInvoiceId"]
    card = qpay_stack.pay(card_invoice, paymentType="CARD", callback="never").json()
    refund = signed_post(f"{app.url}/worker/qpay/refund", {"qpayPaymentId": card["payment_id"], "note": "dispute"})
    assert refund.status_code == 200
    assert refund.json() == {"qpayPaymentId": card["payment_id"], "refunded": True}
    assert signed_post(f"{app.url}/worker/qpay/check", {"qpayInvoiceId": card_invoice}).json()["status"] == "unpaid"

    p2p_invoice = make_invoice(app, "T20")["qpayInvoiceId"]
    p2p = qpay_stack.pay(p2p_invoice, callback="never").json()
    refused = signed_post(f"{app.url}/worker/qpay/refund", {"qpayPaymentId": p2p["payment_id"]})
    assert refused.status_code == 409
    assert refused.json()["qpayError"] == "PAYMENT_SETTLED"
    late = signed_post(f"{app.url}/worker/qpay/cancel", {"qpayInvoiceId": p2p_invoice}).json()
    assert (late["cancelled"], late["qpayError"], late["check"]["status"]) == (False, "INVOICE_PAID", "paid")


def test_healthz_answers(worker):
    app = worker()
    assert requests.get(f"{app.url}/worker/healthz", timeout=10).json() == {"status": "ok"}


def test_each_request_logs_one_line_without_the_callback_token(worker, caplog):
    app = worker()
    url = f"{app.url}/worker/qpay/webhook/T777/{callback_token(app.config.callback_secrets[0], 'T777')}"
    with caplog.at_level(logging.INFO, logger="qpay_worker.request"):
        requests.get(f"{url}?qpay_payment_id=secret-payment-id", timeout=10)
        requests.get(f"{app.url}/worker/healthz", timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "qpay_worker.request"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("request method=GET path=/worker/qpay/webhook/T777/[redacted] status=200 duration_ms=")
    assert lines[1].startswith("request method=GET path=/worker/healthz status=200 duration_ms=")
    token = url.rsplit("/", 1)[1]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert token not in text
    assert "secret-payment-id" not in lines[0]


def test_a_request_id_is_accepted_once_and_only_on_the_route_it_was_signed_for(worker, qpay_stack):
    app = worker()
    body = json.dumps({"reference": "T4", "amount": 100}).encode()
    headers = sign_for(INVOICE, body)
    before = qpay_calls(qpay_stack, "POST /invoice")
    assert requests.post(f"{app.url}/worker/qpay/check", data=body, headers=headers, timeout=10).status_code == 401
    assert requests.post(f"{app.url}{INVOICE}", data=body, headers=headers, timeout=10).status_code == 201
    assert requests.post(f"{app.url}{INVOICE}", data=body, headers=headers, timeout=10).status_code == 401
    assert qpay_calls(qpay_stack, "POST /invoice") == before + 1


def test_the_worker_refuses_one_secret_for_both_directions(monkeypatch):
    from qpay_worker.config import Config, ConfigError

    for name, value in {
        "QPAY_BASE_URL": "http://127.0.0.1:1/v2",
        "QPAY_CLIENT_ID": "id",
        "QPAY_CLIENT_SECRET": "secret",
        "QPAY_INVOICE_CODE": "code",
        "QPAY_CALLBACK_SECRET": "callback-secret",
        "WORKER_PUBLIC_URL": "http://127.0.0.1:1",
        "WEB_TO_WORKER_SECRET": "same-secret,old-request-secret",
        "WORKER_TO_WEB_SECRET": "new-notify-secret,same-secret",
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match="must not share"):
        Config.from_env()
    monkeypatch.setenv("WORKER_TO_WEB_SECRET", "new-notify-secret")
    assert Config.from_env().notify_secrets == ("new-notify-secret",)


def test_the_replay_memory_forgets_after_the_window_and_stays_bounded():
    guard = signing.MemoryReplayGuard(size=3, window=600)
    with time_machine.travel(1_000_000, tick=False):
        assert guard.first_seen("a")
        assert not guard.first_seen("a")
    with time_machine.travel(1_000_000 + 601, tick=False):
        assert guard.first_seen("a")  # outside the window the timestamp check refuses it anyway
        for i in range(5):
            assert guard.first_seen(f"m{i}")
        assert len(guard._seen) <= 3
