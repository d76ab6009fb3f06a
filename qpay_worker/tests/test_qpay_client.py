import time
from decimal import Decimal

import pytest
import requests
import time_machine

from qpay_worker.qpay_client import QPayClient, QPayError, amount, summarize_check
from testing.qpay_worker import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_INVOICE_CODE,
    ThreadedServer,
    start_sandbox,
    stop_process,
    wait_for,
)


def client_for(base_url, **kw):
    return QPayClient(
        base_url=base_url,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_CLIENT_SECRET,
        invoice_code=SANDBOX_INVOICE_CODE,
        **kw,
    )


def logins(sandbox_url):
    return requests.get(f"{sandbox_url}/sandbox/calls", timeout=5).json()["calls"].get("POST /auth/token", 0)


def new_invoice(client):
    return client.create_invoice(
        sender_invoice_no="INK-T", amount_mnt=100, description="d", callback_url="http://127.0.0.1:9/cb"
    )["invoice_id"]


@pytest.fixture(scope="module")
def short_lived_sandbox():
    """A sandbox whose tokens live 3 seconds."""
    proc, url = start_sandbox(token_lifetime=3)
    yield url
    stop_process(proc)


def test_the_token_is_cached_across_calls(qpay_stack):
    client = client_for(qpay_stack.qpay_base_url)
    invoice_id = new_invoice(client)
    client.get_invoice(invoice_id)
    client.check_payments(invoice_id)
    assert client.logins == 1


def test_it_renews_shortly_before_the_absolute_expiry(qpay_stack):
    client = client_for(qpay_stack.qpay_base_url)
    new_invoice(client)
    expires_at = client._expires_at
    assert expires_at > time.time() + 86000  # an epoch, read as such
    with time_machine.travel(expires_at - 301, tick=False):
        client.token()
        assert client.logins == 1
    with time_machine.travel(expires_at - 299, tick=False):
        client.token()
        assert client.logins == 2


def test_a_short_lived_token_is_replaced_when_it_expires(short_lived_sandbox):
    client = client_for(f"{short_lived_sandbox}/v2", renew_margin=0)
    invoice_id = new_invoice(client)
    first_expiry = client._expires_at
    wait_for(lambda: time.time() > first_expiry + 0.5, timeout=10)
    assert client.get_invoice(invoice_id)["invoice_status"] == "OPEN"
    assert client.logins == 2
    assert logins(short_lived_sandbox) >= 2


def test_a_401_logs_in_again_once_and_repeats_the_request(short_lived_sandbox):
    client = client_for(f"{short_lived_sandbox}/v2", renew_margin=0)
    invoice_id = new_invoice(client)
    requests.post(f"{short_lived_sandbox}/sandbox/tokens/expire", timeout=5)  # QPay dropped our token
    assert client.get_invoice(invoice_id)["invoice_id"] == invoice_id
    assert client.logins == 2


def test_not_found_is_a_422_qpay_error(qpay_stack):
    client = client_for(qpay_stack.qpay_base_url)
    with pytest.raises(QPayError) as err:
        client.get_invoice("00000000-0000-0000-0000-000000000000")
    assert (err.value.status, err.value.error) == (422, "INVOICE_NOTFOUND")
    assert not err.value.unreachable


def test_bad_credentials_raise_one_error_type(qpay_stack):
    client = QPayClient(base_url=qpay_stack.qpay_base_url, client_id="x", client_secret="y", invoice_code="z")
    with pytest.raises(QPayError) as err:
        client.check_payments("whatever")
    assert err.value.status == 401


def test_invoice_create_is_never_retried_on_a_5xx():
    hits = {"invoice": 0}

    def broken_qpay(environ, start_response):
        if environ["PATH_INFO"].endswith("/auth/token"):
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"access_token":"t","expires_in":%d}' % (int(time.time()) + 86400)]
        hits["invoice"] += 1
        start_response("502 Bad Gateway", [("Content-Type", "application/json")])
        return [b'{"error":"SYSTEM_BUSY","message":"busy"}']

    with ThreadedServer(broken_qpay) as server:
        client = client_for(f"{server.url}/v2")
        with pytest.raises(QPayError) as err:
            new_invoice(client)
    assert err.value.unreachable
    assert hits["invoice"] == 1


def test_an_unreachable_qpay_is_a_qpay_error_without_status():
    from testing.qpay_worker import free_port

    client = client_for(f"http://127.0.0.1:{free_port()}/v2")
    with pytest.raises(QPayError) as err:
        client.token()
    assert err.value.status is None


@pytest.mark.parametrize(
    ("raw", "expected"), [("100.00", "100.00"), (100, "100"), (99.5, "99.5"), (None, "0"), ("", "0")]
)
def test_amounts_are_parsed_leniently_without_float_errors(raw, expected):
    assert amount(raw) == Decimal(expected)


def test_a_summary_counts_only_paid_rows_and_tolerates_a_missing_paid_amount():
    assert summarize_check("i", {"count": 0, "rows": []})["status"] == "unpaid"
    summary = summarize_check(
        "i",
        {
            "count": 2,
            "rows": [
                {"payment_id": "1", "payment_status": "REFUNDED", "payment_amount": "10.00", "payment_currency": "MNT"},
                {
                    "payment_id": "2",
                    "payment_status": "PAID",
                    "payment_amount": 90,
                    "payment_currency": "MNT",
                    "payment_type": "CARD",
                },
            ],
        },
    )
    assert (summary["status"], summary["paidAmount"], summary["qpayPaymentId"], summary["paymentType"]) == (
        "paid",
        "90",
        "2",
        "CARD",
    )


def test_a_summary_keeps_every_paid_row_with_its_own_id_type_and_amount():
    # An invoice paid in two parts: each part is refunded its own way, so none may be lost.
    summary = summarize_check(
        "i",
        {
            "count": 2,
            "paid_amount": 50000,
            "rows": [
                {
                    "payment_id": "912213777662363",
                    "payment_status": "PAID",
                    "payment_amount": "20000.00",
                    "payment_currency": "MNT",
                    "payment_type": "P2P",
                },
                {
                    "payment_id": "0b6c1c1e-card",
                    "payment_status": "PAID",
                    "payment_amount": "30000.00",
                    "payment_currency": "MNT",
                    "payment_type": "CARD",
                },
            ],
        },
    )
    assert summary["paidAmount"] == "50000.00"
    assert summary["payments"] == [
        {"paymentId": "912213777662363", "paymentType": "P2P", "amount": "20000.00", "currency": "MNT", "paidAt": None},
        {"paymentId": "0b6c1c1e-card", "paymentType": "CARD", "amount": "30000.00", "currency": "MNT", "paidAt": None},
    ]
    assert summary["paymentIds"] == ["912213777662363", "0b6c1c1e-card"]
