"""A payment whose callback is lost on purpose (sandbox `callback: "never"`) is recovered by the
one check at the next lifecycle point, run by a real job worker (docs/jobs.md, "Payment checks")."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from bookings.models import Booking, BookingStatus
from bookings.services.moves import booking_change_status
from bookings.tests.helpers import open_every_day
from bookings.tests.jobhelpers import free_slots, hold
from payments.ledger import deposit_ledger
from payments.models import Transaction
from payments.services.invoices import payment_create
from tattoo.core.jobs import app
from testing.qpay_worker import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def artist(tattooist):
    open_every_day(tattooist)
    return tattooist


def pay_without_callback(qpay_worker, booking) -> Transaction:
    txn, _ = payment_create(user=booking.customer, booking_id=booking.pk)
    assert qpay_worker.pay(txn.qpay_invoice_id, callback="never").status_code == 200
    return txn


def checks(qpay_worker, txn: Transaction) -> int:
    return qpay_worker.checks_of(txn.qpay_invoice_id)


def test_an_unpaid_holds_lost_payment_is_found_before_it_expires(artist, customer, qpay_worker, job_workers):
    job_workers.start(QPAY_WORKER_URL=qpay_worker.worker_url)
    booking = hold(customer, artist, expires_in=timedelta(seconds=4))
    txn = pay_without_callback(qpay_worker, booking)
    before = checks(qpay_worker, txn)
    assert Booking.objects.get(pk=booking.pk).payment_status == "pending"  # nothing arrived

    expiry = ProcrastinateJob.objects.filter(task_name="bookings.expire_hold", args={"booking_id": booking.pk})
    wait_for(lambda: expiry.filter(status="succeeded").exists(), timeout=30)
    invoice = ProcrastinateJob.objects.filter(task_name="payments.check_at_invoice_expiry")
    wait_for(lambda: invoice.filter(status="succeeded").exists(), timeout=30)

    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    assert Transaction.objects.get(pk=txn.pk).status == "paid"
    assert checks(qpay_worker, txn) == before + 1  # one check, by the hold's expiry; none by the invoice's


def test_a_cancelled_bookings_lost_payment_is_found_before_its_invoice_is_cancelled_and_refunded(
    artist, customer, qpay_worker, run_jobs
):
    booking = hold(customer, artist, expires_in=timedelta(minutes=20))
    txn = pay_without_callback(qpay_worker, booking)
    before = checks(qpay_worker, txn)
    cancels = qpay_worker.calls().get("DELETE /invoice/{id}", 0)

    booking_change_status(booking_id=booking.pk, actor=customer, to_status=BookingStatus.CANCELLED)
    assert ProcrastinateJob.objects.filter(
        task_name="payments.settle_deposit", args={"booking_id": booking.pk}
    ).exists()
    run_jobs()
    run_jobs()  # nothing left to do: no second check

    txn.refresh_from_db()
    assert txn.status in ("paid", "refunded")  # found; then refunded by the policy
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert checks(qpay_worker, txn) == before + 1
    assert qpay_worker.calls().get("DELETE /invoice/{id}", 0) == cancels  # paid: nothing left to cancel
    # cancelled by the customer well before the refund window closes: all of it goes back
    # (docs/deposits.md), through QPay or the manual queue by the payment's type
    ledger = deposit_ledger(booking=booking)
    assert ledger.paid == booking.deposit_amount
    assert (ledger.kept, ledger.refunded + ledger.refund_pending) == (Decimal("0.00"), ledger.paid)


def test_a_cancelled_bookings_unpaid_invoice_is_checked_then_cancelled_at_qpay(artist, customer, qpay_worker, run_jobs):
    booking = hold(customer, artist, expires_in=timedelta(minutes=20))
    txn, _ = payment_create(user=customer, booking_id=booking.pk)
    cancels = qpay_worker.calls().get("DELETE /invoice/{id}", 0)

    booking_change_status(booking_id=booking.pk, actor=customer, to_status=BookingStatus.CANCELLED)
    run_jobs()

    txn.refresh_from_db()
    assert txn.status == "cancelled"
    assert Booking.objects.get(pk=booking.pk).payment_status == "unpaid"
    assert qpay_worker.calls().get("DELETE /invoice/{id}", 0) == cancels + 1


def test_a_confirmed_unpaid_bookings_lost_payment_is_found_by_the_check_24_hours_before(
    artist, customer, qpay_worker, run_jobs
):
    slot = next(s for s in free_slots(artist, count=7) if s - timezone.now() > timedelta(days=2))
    booking = hold(customer, artist, expires_in=timedelta(minutes=20), slot=slot)
    booking_change_status(booking_id=booking.pk, actor=artist.user, to_status=BookingStatus.CONFIRMED)
    txn = pay_without_callback(qpay_worker, booking)
    before = checks(qpay_worker, txn)
    job = ProcrastinateJob.objects.get(task_name="payments.check_before_session")
    assert job.scheduled_at == slot - timedelta(hours=24)
    assert job.args == {"booking_id": booking.pk, "slot": slot.isoformat()}

    run_jobs()  # not due yet: nothing runs
    assert Booking.objects.get(pk=booking.pk).payment_status == "pending"
    # The clock reaches the job's time (the database's clock decides when a job is due).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = %s", [job.pk])
    run_jobs()

    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    assert Transaction.objects.get(pk=txn.pk).status == "paid"
    assert checks(qpay_worker, txn) == before + 1


def test_a_rescheduled_confirmed_booking_gets_a_new_pre_session_check_and_the_old_one_does_nothing(
    artist, customer, qpay_worker, run_jobs
):
    slots = [s for s in free_slots(artist, count=7) if s - timezone.now() > timedelta(days=2)]
    booking = hold(customer, artist, expires_in=timedelta(minutes=20), slot=slots[0])
    booking_change_status(booking_id=booking.pk, actor=artist.user, to_status=BookingStatus.CONFIRMED)
    txn = pay_without_callback(qpay_worker, booking)  # a lost payment the old job would find if it ran
    from bookings.services.moves import booking_reschedule

    booking_reschedule(booking_id=booking.pk, actor=artist.user, slot=slots[1])
    jobs = ProcrastinateJob.objects.filter(task_name="payments.check_before_session").order_by("id")
    assert [j.args["slot"] for j in jobs] == [slots[0].isoformat(), slots[1].isoformat()]
    assert jobs[1].scheduled_at == slots[1] - timedelta(hours=24)

    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = %s", [jobs[0].pk])
    before = checks(qpay_worker, txn)
    run_jobs()
    assert checks(qpay_worker, txn) == before  # the old slot's check does nothing
    assert Booking.objects.get(pk=booking.pk).payment_status == "pending"


def test_no_periodic_job_checks_payments(artist, customer, qpay_worker):
    periodic = {task.task.name for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic == {
        "tattoo.retry_stalled_jobs",
        "tattoo.remove_old_jobs",
        "tattoo.purge_idempotency_keys",
        "tattoo.sweep_uploads",
        "tattoo.retry_object_deletes",
        "tattoo.sweep_images",  # image variants: the bucket only
        "bookings.expire_holds",
        "notifications.requeue_stalled",  # mail only: it never asks QPay anything
        "bookings.purge_consents",  # deletes old consents: no payment
        "notifications.purge_account_mail",  # mail only
    }
    # ...and running the one that touches bookings, with an invoice open, asks QPay nothing.
    booking = hold(customer, artist, expires_in=timedelta(minutes=20))
    txn, _ = payment_create(user=customer, booking_id=booking.pk)
    before = checks(qpay_worker, txn)
    from bookings.tasks import expire_holds

    assert expire_holds() == {"expired": 0, "kept": 0}
    assert checks(qpay_worker, txn) == before


def test_an_invoice_superseded_by_a_paid_one_is_cancelled_at_qpay_by_a_job(artist, customer, qpay_worker, run_jobs):
    from payments.services.verdict import payment_notification_apply

    booking = hold(customer, artist, expires_in=timedelta(minutes=20))
    open_invoice, _ = payment_create(user=customer, booking_id=booking.pk)
    old = Transaction.objects.create(
        booking=booking, amount=booking.deposit_amount, status="cancelled", qpay_invoice_id="INV-OLD-1"
    )
    cancels = qpay_worker.calls().get("DELETE /invoice/{id}", 0)

    outcome = payment_notification_apply(
        payload={
            "qpayInvoiceId": old.qpay_invoice_id,
            "status": "paid",
            "paidAmount": str(booking.deposit_amount),
            "qpayPaymentId": "PAY-OLD-1",
            "currency": "MNT",
        }
    )
    assert outcome == "processed"
    # the deposit's settling job (docs/deposits.md) cancels the other open invoice at QPay
    assert ProcrastinateJob.objects.filter(
        task_name="payments.settle_deposit", args={"booking_id": booking.pk}
    ).exists()
    assert qpay_worker.calls().get("DELETE /invoice/{id}", 0) == cancels  # not from the request itself

    run_jobs()

    assert Transaction.objects.get(pk=open_invoice.pk).status == "cancelled"
    assert qpay_worker.calls().get("DELETE /invoice/{id}", 0) == cancels + 1


def test_a_confirmed_bookings_lost_payment_is_found_when_its_invoice_expires(
    artist, customer, qpay_worker, run_jobs, settings
):
    booking = hold(customer, artist, expires_in=-timedelta(seconds=1))
    booking_change_status(booking_id=booking.pk, actor=artist.user, to_status=BookingStatus.CONFIRMED)
    settings.PAYMENT_INVOICE_MINUTES = 0  # the invoice expires as soon as it is made
    txn = pay_without_callback(qpay_worker, booking)
    before = checks(qpay_worker, txn)

    run_jobs()

    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    assert Transaction.objects.get(pk=txn.pk).status == "paid"
    assert checks(qpay_worker, txn) == before + 1


def test_an_unpaid_invoice_is_checked_and_cancelled_at_qpay_when_it_expires(
    artist, customer, qpay_worker, run_jobs, settings
):
    booking = hold(customer, artist, expires_in=-timedelta(seconds=1))
    booking_change_status(booking_id=booking.pk, actor=artist.user, to_status=BookingStatus.CONFIRMED)
    settings.PAYMENT_INVOICE_MINUTES = 0
    txn, _ = payment_create(user=customer, booking_id=booking.pk)
    before = checks(qpay_worker, txn)

    run_jobs()

    assert Transaction.objects.get(pk=txn.pk).status == "cancelled"
    assert Booking.objects.get(pk=booking.pk).payment_status == "unpaid"
    assert checks(qpay_worker, txn) >= before + 1  # our check, then the worker's own after the cancel
    assert qpay_worker.pay(txn.qpay_invoice_id).status_code == 400  # the stale QR can no longer be paid
