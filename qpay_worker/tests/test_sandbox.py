"""The sandbox speaks QPay v2 as docs/qpay.md describes it (quirks included)."""

import base64
import time
import uuid

import pytest
import requests

from testing.qpay_worker import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_INVOICE_CODE


@pytest.fixture(scope="module")
def sb(qpay_stack):
    return qpay_stack


@pytest.fixture(scope="module")
def bearer(sb):
    token = requests.post(f"{sb.qpay_base_url}/auth/token", auth=(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET), timeout=10)
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def create(sb, bearer, **over):
    body = {
        "invoice_code": SANDBOX_INVOICE_CODE,
        "sender_invoice_no": "INK-1",
        "invoice_receiver_code": "terminal",
        "invoice_description": "deposit",
        "amount": 100,
        "callback_url": "http://127.0.0.1:9/nowhere",
        **over,
    }
    return requests.post(f"{sb.qpay_base_url}/invoice", json=body, headers=bearer, timeout=10)


def test_the_token_carries_an_absolute_expiry(sb):
    before = int(time.time())
    data = requests.post(
        f"{sb.qpay_base_url}/auth/token", auth=(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET), timeout=10
    ).json()
    assert data["token_type"] == "bearer"
    assert before + 86400 <= data["expires_in"] <= int(time.time()) + 86400  # epoch seconds, not a TTL
    assert data["refresh_expires_in"] == data["expires_in"]
    assert data["not-before-policy"] == "0"
    assert data["session_state"] == "sandbox"


def test_bad_credentials_and_a_missing_bearer_are_401(sb):
    bad = requests.post(f"{sb.qpay_base_url}/auth/token", auth=(SANDBOX_CLIENT_ID, "wrong"), timeout=10)
    assert bad.status_code == 401
    no_bearer = requests.get(f"{sb.qpay_base_url}/invoice/{uuid.uuid4()}", timeout=10)
    assert no_bearer.status_code == 401
    assert no_bearer.json()["error"] == "NO_CREDENDIALS"  # sic, as documented


def test_an_invoice_has_a_real_qr_a_short_url_and_bank_links(sb, bearer):
    data = create(sb, bearer).json()
    uuid.UUID(data["invoice_id"])
    assert data["qr_text"].startswith("000201010212")
    assert "5802MN" in data["qr_text"]
    assert data["qr_text"][-8:-4] == "6304"
    assert not data["qr_image"].startswith("data:")
    assert base64.b64decode(data["qr_image"]).startswith(b"\x89PNG")
    assert data["qPay_shortUrl"].startswith(sb.sandbox_url + "/s/")
    assert all(u["link"] == f"{u['link'].split('://')[0]}://q?qPay_QRcode={data['qr_text']}" for u in data["urls"])


def test_sender_invoice_no_is_not_deduplicated(sb, bearer):
    first = create(sb, bearer, sender_invoice_no="SAME").json()
    second = create(sb, bearer, sender_invoice_no="SAME").json()
    assert first["invoice_id"] != second["invoice_id"]


def test_amounts_may_be_strings_and_come_back_mixed(sb, bearer):
    invoice_id = create(sb, bearer, amount="250").json()["invoice_id"]
    data = requests.get(f"{sb.qpay_base_url}/invoice/{invoice_id}", headers=bearer, timeout=10).json()
    assert data["invoice_status"] == "OPEN"
    assert data["total_amount"] == "250.00"
    assert data["gross_amount"] == 250


def test_validation_and_not_found_errors_have_qpays_shape(sb, bearer):
    missing = create(sb, bearer, invoice_description="")
    assert missing.status_code == 400
    assert isinstance(missing.json()["error"], dict)
    assert create(sb, bearer, invoice_code="NOPE").json()["error"] == "INVOICE_CODE_INVALID"
    unknown = requests.get(f"{sb.qpay_base_url}/invoice/{uuid.uuid4()}", headers=bearer, timeout=10)
    assert unknown.status_code == 422
    assert unknown.json()["error"] == "INVOICE_NOTFOUND"
    assert requests.get(f"{sb.qpay_base_url}/payment/123456789012345", headers=bearer, timeout=10).status_code == 422


def test_an_unpaid_check_has_no_paid_amount_and_limit_zero_is_refused(sb, bearer):
    invoice_id = create(sb, bearer).json()["invoice_id"]
    check = {"object_type": "INVOICE", "object_id": invoice_id, "offset": {"page_number": 1, "page_limit": 100}}
    data = requests.post(f"{sb.qpay_base_url}/payment/check", json=check, headers=bearer, timeout=10).json()
    assert data == {"count": 0, "rows": []}
    check["offset"]["page_limit"] = 0
    bad = requests.post(f"{sb.qpay_base_url}/payment/check", json=check, headers=bearer, timeout=10)
    assert bad.status_code == 400
    assert bad.json()["error"]["type"] == "MIN_NUMBER"


def test_paying_closes_the_invoice_and_shows_in_check_and_get(sb, bearer):
    invoice_id = create(sb, bearer, amount=100).json()["invoice_id"]
    partial = sb.pay(invoice_id, amount=40, callback="never").json()
    assert partial["payment_amount"] == "40.00"
    invoice = requests.get(f"{sb.qpay_base_url}/invoice/{invoice_id}", headers=bearer, timeout=10).json()
    assert invoice["invoice_status"] == "OPEN"
    rest = sb.pay(invoice_id, callback="never").json()
    assert rest["payment_amount"] == "60.00"
    invoice = requests.get(f"{sb.qpay_base_url}/invoice/{invoice_id}", headers=bearer, timeout=10).json()
    assert invoice["invoice_status"] == "CLOSED"
    check = {"object_type": "INVOICE", "object_id": invoice_id, "offset": {"page_number": 1, "page_limit": 100}}
    data = requests.post(f"{sb.qpay_base_url}/payment/check", json=check, headers=bearer, timeout=10).json()
    assert data["count"] == 2
    assert data["paid_amount"] == 100
    row = data["rows"][0]
    assert (row["payment_status"], row["payment_currency"], row["payment_type"]) == ("PAID", "MNT", "P2P")
    assert len(row["payment_id"]) == 15
    assert row["payment_id"].isdigit()
    assert row["p2p_transactions"][0]["amount"] == "39.60"  # net of the fee
    payment = requests.get(f"{sb.qpay_base_url}/payment/{row['payment_id']}", headers=bearer, timeout=10).json()
    assert (payment["object_type"], payment["object_id"], payment["transaction_type"]) == ("INVOICE", invoice_id, "P2P")
    assert payment["payment_date"].endswith("Z")


def test_cancel_spells_canceled_with_one_l_and_a_paid_invoice_cannot_be_cancelled(sb, bearer):
    invoice_id = create(sb, bearer).json()["invoice_id"]
    deleted = requests.delete(f"{sb.qpay_base_url}/invoice/{invoice_id}", headers=bearer, timeout=10)
    assert (deleted.status_code, deleted.json()) == (200, {})
    invoice = requests.get(f"{sb.qpay_base_url}/invoice/{invoice_id}", headers=bearer, timeout=10).json()
    assert invoice["invoice_status"] == "CANCELED"
    assert sb.pay(invoice_id).status_code == 400
    paid_id = create(sb, bearer).json()["invoice_id"]
    sb.pay(paid_id, callback="never")
    refused = requests.delete(f"{sb.qpay_base_url}/invoice/{paid_id}", headers=bearer, timeout=10)
    assert refused.json()["error"] == "INVOICE_PAID"


def test_card_payments_refund_and_p2p_payments_do_not(sb, bearer):
    invoice_id = create(sb, bearer).json()["invoice_id"]
    card = sb.pay(invoice_id, paymentType="CARD", callback="never").json()
    ok = requests.delete(
        f"{sb.qpay_base_url}/payment/refund/{card['payment_id']}", json={"note": "x"}, headers=bearer, timeout=10
    )
    assert (ok.status_code, ok.json()) == (200, {})
    other = create(sb, bearer).json()["invoice_id"]
    p2p = sb.pay(other, callback="never").json()
    refused = requests.delete(f"{sb.qpay_base_url}/payment/refund/{p2p['payment_id']}", headers=bearer, timeout=10)
    assert refused.status_code == 400
    assert refused.json()["error"] == "PAYMENT_SETTLED"


def test_the_pay_page_has_a_pay_button_that_posts_a_form(sb, bearer):
    invoice_id = create(sb, bearer).json()["invoice_id"]
    page = requests.get(f"{sb.sandbox_url}/sandbox/invoices/{invoice_id}", timeout=10)
    assert f'action="/sandbox/invoices/{invoice_id}/pay"' in page.text
    assert "<button" in page.text
    paid = requests.post(f"{sb.sandbox_url}/sandbox/invoices/{invoice_id}/pay", data={}, timeout=10)
    assert paid.status_code == 200
    assert "CLOSED" in requests.get(f"{sb.sandbox_url}/sandbox/invoices/{invoice_id}", timeout=10).text


def test_the_callback_is_a_get_with_qpay_payment_id_appended(sb, bearer):
    from testing.qpay_worker import ThreadedServer

    seen = []

    def merchant(environ, start_response):
        seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["QUERY_STRING"]))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"SUCCESS"]

    with ThreadedServer(merchant) as server:
        invoice_id = create(sb, bearer, callback_url=f"{server.url}/cb?order=7").json()["invoice_id"]
        payment = sb.pay(invoice_id).json()
    assert seen == [("GET", "/cb", f"order=7&qpay_payment_id={payment['payment_id']}")]
