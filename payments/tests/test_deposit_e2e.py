"""The deposit policy end to end (docs/deposits.md), black-box over HTTP: the web app (live
server), the QPay worker and sandbox, and the Procfile's job worker, all real processes. Nothing
here calls a service: every step is an HTTP request a client, QPay or staff would make."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.utils import timezone

from accounts.tests.factories import AdminFactory
from accounts.tokens import tokens_for_user
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from payments.models import Refund, RefundStatus, Transaction
from testing.qpay import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MINUTE = 60


class Api:
    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, user, **kwargs) -> requests.Response:
        # staff tokens carry the second factor they proved at sign-in (accounts/mfa.py)
        token = tokens_for_user(user, otp_verified=user.is_staff)["access"]
        headers = {"Authorization": f"Bearer {token}"}
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kwargs)

    def booking(self, booking, user) -> dict:
        response = self.call("GET", f"/api/bookings/{booking.pk}", user)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def stack(qpay_worker, live_server, settings, job_workers):
    """Web app + QPay worker + sandbox + one job worker, wired together like `make run`."""
    settings.PAYMENT_NOTIFY_URL = f"{live_server.url}/api/payments/notify"
    job_workers.start(QPAY_WORKER_URL=qpay_worker.worker_url, PAYMENT_NOTIFY_URL=settings.PAYMENT_NOTIFY_URL)
    return Api(live_server.url)


def open_invoice(api: Api, booking) -> str:
    created = api.call("POST", "/api/payments/create", booking.customer, json={"bookingId": booking.pk})
    assert created.status_code == 201, created.text
    return created.json()["qpayInvoiceId"]


def paid_booking(api: Api, qpay_worker, *, parts=(("50000", "CARD"),), **booking_fields) -> Booking:
    """A booking whose 50,000 deposit was paid in the sandbox (in `parts`), confirmed by the
    worker's callback through the web app."""
    booking = BookingFactory(deposit_amount=Decimal("50000.00"), **booking_fields)
    invoice = open_invoice(api, booking)
    for amount, kind in parts:
        assert qpay_worker.pay(invoice, amount=amount, paymentType=kind).status_code == 200
    wait_for(lambda: api.booking(booking, booking.customer)["paymentStatus"] == "paid", timeout=MINUTE)
    return booking


def sandbox_payment_status(qpay_worker, payment_id: str) -> str:
    token = requests.post(
        f"{qpay_worker.qpay_base_url}/auth/token", auth=(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET), timeout=10
    ).json()["access_token"]
    payment = requests.get(
        f"{qpay_worker.qpay_base_url}/payment/{payment_id}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    return payment.json()["payment_status"]


def cancel(api: Api, booking, user) -> None:
    response = api.call("PATCH", f"/api/bookings/{booking.pk}", user, json={"status": "cancelled"})
    assert response.status_code == 200, response.text


def test_an_artist_cancelling_a_paid_card_booking_refunds_it_through_qpay(stack, qpay_worker):
    booking = paid_booking(stack, qpay_worker)
    cancel(stack, booking, booking.tattooist.user)

    def refunded():
        body = stack.booking(booking, booking.customer)
        return body["paymentStatus"] == "refunded" and body["deposit"]["refunded"] == "50000.00"

    wait_for(refunded, timeout=MINUTE)
    assert stack.booking(booking, booking.customer)["deposit"] == {
        "required": "50000.00",
        "paid": "50000.00",
        "refunded": "50000.00",
        "kept": "0.00",
        "refundPending": "0.00",
        "applied": "0.00",
    }
    payment_id = Transaction.objects.get(booking=booking).qpay_payment_id
    assert sandbox_payment_status(qpay_worker, payment_id) == "REFUNDED"


def test_an_artist_cancelling_a_paid_p2p_booking_puts_it_in_the_manual_refund_queue(stack, qpay_worker):
    booking = paid_booking(stack, qpay_worker, parts=(("50000", "P2P"),))
    cancel(stack, booking, booking.tattooist.user)

    wait_for(lambda: stack.booking(booking, booking.customer)["deposit"]["refundPending"] == "50000.00", timeout=MINUTE)
    body = stack.booking(booking, booking.customer)
    assert (body["paymentStatus"], body["deposit"]["refunded"], body["deposit"]["kept"]) == ("refunded", "0.00", "0.00")
    queue = stack.call("GET", "/api/admin/transactions?refundState=manual_required", AdminFactory()).json()
    txn = Transaction.objects.get(booking=booking)
    assert [t["id"] for t in queue["results"]] == [txn.pk]
    assert sandbox_payment_status(qpay_worker, txn.qpay_payment_id) == "PAID"  # nobody asked QPay


def test_a_customer_cancelling_a_hold_closes_its_open_invoice_at_qpay(stack, qpay_worker):
    booking = BookingFactory(deposit_amount=Decimal("50000.00"))
    invoice = open_invoice(stack, booking)
    cancel(stack, booking, booking.customer)

    def closed():
        # the invoice is cancelled at QPay first, then the booking's payment status follows
        cancelled = Transaction.objects.filter(qpay_invoice_id=invoice, status="cancelled").exists()
        return cancelled and stack.booking(booking, booking.customer)["paymentStatus"] == "unpaid"

    wait_for(closed, timeout=MINUTE)
    refused = qpay_worker.pay(invoice)
    assert refused.status_code == 400  # the QR of a cancelled booking can no longer be paid
    body = stack.booking(booking, booking.customer)
    assert (body["status"], body["paymentStatus"]) == ("cancelled", "unpaid")
    assert body["deposit"]["paid"] == "0.00"


@pytest.mark.parametrize(
    ("refundable_hours", "kept", "pending"),
    [
        (24 * 30, "50000.00", "0.00"),  # the session is days away, but the window is 30 days: kept
        (1, "0.00", "50000.00"),  # cancelled days before a 1-hour window: refunded (P2P: by hand)
    ],
)
def test_a_customer_cancel_follows_the_artists_window(stack, qpay_worker, refundable_hours, kept, pending):
    slot = timezone.now().replace(microsecond=0) + timedelta(days=3)
    booking = paid_booking(
        stack,
        qpay_worker,
        parts=(("50000", "P2P"),),
        slot=slot,
        ends_at=slot + timedelta(hours=2),
        deposit_refundable_hours=refundable_hours,
    )
    cancel(stack, booking, booking.customer)

    def settled():
        deposit = stack.booking(booking, booking.customer)["deposit"]
        return (deposit["kept"], deposit["refundPending"]) == (kept, pending)

    wait_for(settled, timeout=MINUTE)
    assert stack.booking(booking, booking.customer)["deposit"]["paid"] == "50000.00"


def test_disputing_an_unpaid_hold_is_a_409(stack):
    booking = BookingFactory()
    response = stack.call("POST", "/api/disputes", booking.customer, json={"bookingId": booking.pk, "reason": "x"})
    assert response.status_code == 409
    assert response.json()["code"] == "not_disputable"


def test_a_split_payment_is_refunded_part_by_part(stack, qpay_worker):
    # 20,000 from a bank app (P2P) then 30,000 by card on the same invoice; the artist cancels.
    booking = paid_booking(stack, qpay_worker, parts=(("20000", "P2P"), ("30000", "CARD")))
    cancel(stack, booking, booking.tattooist.user)

    def settled():
        deposit = stack.booking(booking, booking.customer)["deposit"]
        return (deposit["refunded"], deposit["refundPending"]) == ("30000.00", "20000.00")

    wait_for(settled, timeout=MINUTE)
    refunds = {r.payment.payment_type: r for r in Refund.objects.filter(booking=booking).select_related("payment")}
    assert (refunds["CARD"].amount, refunds["CARD"].status) == (Decimal("30000.00"), RefundStatus.QPAY_REFUNDED)
    assert (refunds["P2P"].amount, refunds["P2P"].status) == (Decimal("20000.00"), RefundStatus.MANUAL_REQUIRED)
    assert sandbox_payment_status(qpay_worker, refunds["CARD"].payment.qpay_payment_id) == "REFUNDED"
    assert sandbox_payment_status(qpay_worker, refunds["P2P"].payment.qpay_payment_id) == "PAID"
    queue = stack.call("GET", "/api/admin/transactions?refundState=manual_required", AdminFactory()).json()
    assert [t["id"] for t in queue["results"]] == [Transaction.objects.get(booking=booking).pk]
