"""The review's stranding bugs that the other deposit tests do not already walk through: an invoice
made while its booking ended (bug 5) and a late payment re-taking a slot it may no longer have
(bug 6). See docs/deposits.md, "Every path ends settled"."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from bookings.models import Booking, BookingStatus, TimeOff
from bookings.tests.factories import BookingFactory
from payments.models import Transaction
from payments.services.checks import payment_settle_booking
from payments.services.invoices import payment_create
from payments.tests.factories import TransactionFactory
from payments.tests.test_notify import notification, post
from tattoo.core.errors import ConflictError
from testing.qpay import ThreadedServer


def cancelling_proxy(worker_url: str, booking_id: int):
    """A hop in front of the QPay worker: while QPay makes the invoice, the booking is cancelled
    (as a customer pressing Cancel in another tab would), then the worker's answer is passed on."""

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["Content-Type"] = environ.get("CONTENT_TYPE", "application/json")
        answer = requests.post(worker_url + environ["PATH_INFO"], data=body, headers=headers, timeout=30)
        if environ["PATH_INFO"] == "/worker/qpay/invoice":
            Booking.objects.filter(pk=booking_id).update(status=BookingStatus.CANCELLED)
        passed = [(k, v) for k, v in answer.headers.items() if k.lower().startswith("webhook-") or k == "Content-Type"]
        start_response(f"{answer.status_code} X", passed)
        return [answer.content]

    return app


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_invoice_made_while_its_booking_was_cancelled_is_cancelled_at_qpay(qpay_worker, settings):
    booking = BookingFactory(deposit_amount=Decimal("50000.00"))
    with ThreadedServer(cancelling_proxy(qpay_worker.worker_url, booking.pk)) as proxy:
        settings.QPAY_WORKER_URL = proxy.url
        with pytest.raises(ConflictError) as refused:
            payment_create(user=booking.customer, booking_id=booking.pk)
    settings.QPAY_WORKER_URL = qpay_worker.worker_url
    assert refused.value.code == "booking_not_payable"
    txn = Transaction.objects.get(booking=booking)
    assert txn.qpay_invoice_id  # kept on record, so a payment racing us would still be found
    job = ProcrastinateJob.objects.get(task_name="payments.settle_deposit")
    assert job.args == {"booking_id": booking.pk}
    assert payment_settle_booking(booking_id=booking.pk)["invoices"] == "cancelled"  # the job's body
    assert qpay_worker.pay(txn.qpay_invoice_id).status_code == 400  # the QR is dead
    assert Booking.objects.get(pk=booking.pk).payment_status == "unpaid"


@pytest.mark.django_db
@pytest.mark.parametrize("obstacle", ["time_off", "past"])
def test_a_late_payment_does_not_retake_a_slot_under_new_time_off_or_in_the_past(obstacle):
    txn = TransactionFactory(booking__status=BookingStatus.EXPIRED)
    booking = txn.booking
    if obstacle == "time_off":
        TimeOff.objects.create(tattooist=booking.tattooist, starts_at=booking.slot, ends_at=booking.ends_at)
    else:
        start = timezone.now() - timedelta(hours=3)
        Booking.objects.filter(pk=booking.pk).update(slot=start, ends_at=start + timedelta(hours=2))
    assert post(notification(txn)).json() == {"result": "late_payment"}
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("expired", "refunded")
    txn.refresh_from_db()
    assert (txn.flag, txn.refund_state, txn.refunded_amount) == ("late_payment", "manual_required", Decimal("50000.00"))
