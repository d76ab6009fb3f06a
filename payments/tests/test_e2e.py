"""Web app (live server), worker and sandbox talking over real HTTP on loopback."""

from decimal import Decimal

import pytest
import requests

from accounts.tokens import tokens_for_user
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from payments.models import Transaction
from testing.qpay import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_deposit_paid_in_the_sandbox_confirms_the_booking(qpay_worker, live_server, settings):
    settings.PAYMENT_NOTIFY_URL = f"{live_server.url}/api/payments/notify"
    booking = BookingFactory(deposit_amount=Decimal("50000.00"))
    auth = {"Authorization": f"Bearer {tokens_for_user(booking.customer)['access']}"}

    created = requests.post(
        f"{live_server.url}/api/payments/create", json={"bookingId": booking.pk}, headers=auth, timeout=30
    )
    assert created.status_code == 201, created.text
    invoice_id = created.json()["qpayInvoiceId"]

    paid = qpay_worker.pay(invoice_id)
    assert paid.status_code == 200
    payment_id = paid.json()["payment_id"]

    def confirmed():
        return Booking.objects.filter(pk=booking.pk, status="confirmed", payment_status="paid").exists()

    wait_for(confirmed, timeout=60)
    txn = Transaction.objects.get(qpay_invoice_id=invoice_id)
    assert txn.status == "paid"
    assert txn.qpay_payment_id == payment_id
    assert txn.paid_amount == Decimal("50000.00")
    assert txn.payment_type == "P2P"
    assert txn.raw_payload["raw"]["rows"][0]["payment_id"] == payment_id
    assert txn.processed_at is not None
    assert txn.paid_at is not None
    # QPay's GET callback was acknowledged the way QPay expects.
    assert {"paymentId": payment_id, "status": 200, "body": "SUCCESS", "ok": True} in qpay_worker.callbacks()

    status = requests.get(f"{live_server.url}/api/payments/status/{invoice_id}", headers=auth, timeout=30).json()
    assert (status["status"], status["bookingStatus"], status["paymentStatus"]) == ("paid", "confirmed", "paid")


def test_a_duplicate_callback_credits_once(qpay_worker, live_server, settings):
    settings.PAYMENT_NOTIFY_URL = f"{live_server.url}/api/payments/notify"
    booking = BookingFactory(deposit_amount=Decimal("20000.00"))
    auth = {"Authorization": f"Bearer {tokens_for_user(booking.customer)['access']}"}
    invoice_id = requests.post(
        f"{live_server.url}/api/payments/create", json={"bookingId": booking.pk}, headers=auth, timeout=30
    ).json()["qpayInvoiceId"]
    assert qpay_worker.pay(invoice_id, callback="twice").status_code == 200
    wait_for(lambda: Booking.objects.filter(pk=booking.pk, status="confirmed").exists(), timeout=60)
    assert Transaction.objects.filter(booking=booking, status="paid").count() == 1
    assert booking.events.count() == 2  # unpaid -> pending (invoice), pending -> confirmed/paid
