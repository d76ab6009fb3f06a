from decimal import Decimal

import pytest

from bookings.models import Booking, BookingStatus, PaymentStatus
from bookings.tests.factories import BookingFactory, bookable_slot
from payments.models import Transaction, TransactionStatus
from payments.services.checks import payment_recheck_before_expiry
from payments.tests.factories import TransactionFactory
from testing.clients import client_for
from testing.qpay import free_port


def status_url(invoice_id):
    return f"/api/payments/status/{invoice_id}"


@pytest.fixture
def invoice(qpay_worker, customer, tattooist):
    booking = BookingFactory(customer=customer, tattooist=tattooist, deposit_amount=Decimal("50000.00"))
    body = client_for(customer).post("/api/payments/create", {"bookingId": booking.pk}, format="json").json()
    return body


def test_the_parties_and_staff_see_the_status(invoice, customer, tattooist, admin_user):
    for user in (customer, tattooist.user, admin_user):
        response = client_for(user).get(status_url(invoice["qpayInvoiceId"]))
        assert response.status_code == 200
        assert response.json() == {
            "qpayInvoiceId": invoice["qpayInvoiceId"],
            "status": "pending",
            "amount": "50000.00",
            "paidAmount": "0.00",
            "paidAt": None,
            "bookingId": response.json()["bookingId"],
            "bookingStatus": "pending",
            "paymentStatus": "pending",
        }


def test_outsiders_get_403_and_unknown_invoices_404(db, outsider, customer):
    txn = TransactionFactory()
    assert client_for(outsider).get(status_url(txn.qpay_invoice_id)).status_code == 403
    assert client_for(customer).get(status_url("no-such-invoice")).status_code == 404


def test_a_lost_callback_is_found_by_the_status_recheck_once_per_window(invoice, customer, qpay_worker, settings):
    settings.PAYMENT_STATUS_RECHECK_SECONDS = 3600
    url = status_url(invoice["qpayInvoiceId"])
    # The first read uses its one re-check: nothing paid yet.
    assert client_for(customer).get(url).json()["status"] == "pending"
    assert qpay_worker.pay(invoice["qpayInvoiceId"], callback="never").status_code == 200
    checks_before = qpay_worker.calls().get("POST /payment/check", 0)
    # Inside the window no further QPay call happens, so the payment is not seen yet.
    assert client_for(customer).get(url).json()["status"] == "pending"
    assert qpay_worker.calls().get("POST /payment/check", 0) == checks_before
    # Once the window has passed, the next read asks once and confirms.
    Transaction.objects.filter(qpay_invoice_id=invoice["qpayInvoiceId"]).update(last_checked_at=None)
    body = client_for(customer).get(url).json()
    assert (body["status"], body["bookingStatus"], body["paymentStatus"]) == ("paid", "confirmed", "paid")
    assert qpay_worker.calls().get("POST /payment/check", 0) == checks_before + 1


def test_the_pre_expiry_check_recovers_a_lost_callback(invoice, qpay_worker):
    qpay_worker.pay(invoice["qpayInvoiceId"], callback="never")
    txn = Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])
    assert txn.status == TransactionStatus.PENDING
    assert payment_recheck_before_expiry(booking=txn.booking) is True
    txn.refresh_from_db()
    booking = Booking.objects.get(pk=txn.booking_id)
    assert (txn.status, booking.status, booking.payment_status) == ("paid", "confirmed", "paid")
    assert txn.qpay_payment_id
    assert txn.raw_payload["raw"]["count"] == 1


def test_the_pre_expiry_check_leaves_an_unpaid_booking_alone(invoice):
    txn = Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])
    assert payment_recheck_before_expiry(booking=txn.booking) is False
    booking = Booking.objects.get(pk=txn.booking_id)
    assert (booking.status, booking.payment_status) == (BookingStatus.PENDING, PaymentStatus.PENDING)


def test_the_pre_expiry_check_survives_a_worker_outage(invoice, settings):
    settings.QPAY_WORKER_URL = f"http://127.0.0.1:{free_port()}"
    txn = Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])
    assert payment_recheck_before_expiry(booking=txn.booking) is False


def test_cancelling_the_open_invoice_stops_it_being_paid(invoice, qpay_worker):
    from payments.services.invoices import payment_invoice_cancel

    txn = Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])
    assert payment_invoice_cancel(booking=txn.booking) == "cancelled"
    txn.refresh_from_db()
    assert txn.status == TransactionStatus.CANCELLED
    assert Booking.objects.get(pk=txn.booking_id).payment_status == PaymentStatus.UNPAID
    assert qpay_worker.pay(invoice["qpayInvoiceId"]).status_code == 400  # QPay refuses a cancelled invoice
    assert payment_invoice_cancel(booking=txn.booking) == "none"


def test_a_payment_racing_the_cancel_of_an_expired_booking_retakes_the_free_slot(invoice, qpay_worker, tattooist):
    from payments.services.invoices import payment_invoice_cancel

    txn = Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])
    slot, ends_at = bookable_slot(tattooist)  # the hold may still take its slot (bookings/rules.py)
    # the hold ran out
    Booking.objects.filter(pk=txn.booking_id).update(status=BookingStatus.EXPIRED, slot=slot, ends_at=ends_at)
    qpay_worker.pay(invoice["qpayInvoiceId"], callback="never")  # ...while the customer was paying
    assert payment_invoice_cancel(booking=txn.booking) == "paid"
    booking = Booking.objects.get(pk=txn.booking_id)
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")


def test_an_old_invoice_paid_after_its_replacement_confirms_and_closes_the_new_one(invoice, qpay_worker):
    from procrastinate.contrib.django.models import ProcrastinateJob

    from payments.services.checks import payment_settle_booking
    from payments.tests.test_notify import notification, post

    new = Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])
    old = TransactionFactory(booking=new.booking, status=TransactionStatus.CANCELLED)  # replaced, yet paid
    assert post(notification(old)).json() == {"result": "processed"}
    # the new invoice is cancelled at QPay by a job written with the payment: run its body
    job = ProcrastinateJob.objects.get(task_name="payments.settle_deposit", args={"booking_id": new.booking_id})
    assert job.status == "todo"
    assert payment_settle_booking(booking_id=new.booking_id)["invoices"] == "cancelled"
    booking = Booking.objects.get(pk=new.booking_id)
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    new.refresh_from_db()
    assert new.status == TransactionStatus.CANCELLED
    assert qpay_worker.pay(new.qpay_invoice_id).status_code == 400  # the new QR can no longer be paid


def test_an_anonymous_status_read_is_401(db, api_client):
    txn = TransactionFactory()
    assert api_client.get(status_url(txn.qpay_invoice_id)).status_code == 401


def _run_expiry_job():
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    Booking.objects.update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    call_command("expire_holds")


def test_the_expiry_job_confirms_a_paid_hold_whose_callback_was_lost(invoice, qpay_worker):
    qpay_worker.pay(invoice["qpayInvoiceId"], callback="never")
    _run_expiry_job()
    txn = Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])
    booking = Booking.objects.get(pk=txn.booking_id)
    assert (txn.status, booking.status, booking.payment_status) == ("paid", "confirmed", "paid")
    assert not booking.events.filter(to_status=BookingStatus.EXPIRED).exists()


def test_the_expiry_job_cancels_an_unpaid_invoice_then_expires_the_hold(invoice, qpay_worker):
    _run_expiry_job()
    txn = Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])
    booking = Booking.objects.get(pk=txn.booking_id)
    assert txn.status == TransactionStatus.CANCELLED
    assert (booking.status, booking.payment_status) == (BookingStatus.EXPIRED, PaymentStatus.UNPAID)
    # the stale QR can no longer be paid at QPay
    assert qpay_worker.pay(invoice["qpayInvoiceId"]).status_code != 200


def test_the_expiry_job_keeps_the_hold_while_the_worker_is_down(invoice, settings):
    settings.QPAY_WORKER_URL = f"http://127.0.0.1:{free_port()}"
    _run_expiry_job()
    booking = Booking.objects.get(transactions__qpay_invoice_id=invoice["qpayInvoiceId"])
    assert (booking.status, booking.payment_status) == (BookingStatus.PENDING, PaymentStatus.PENDING)
