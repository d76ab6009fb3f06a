"""Hold expiry on a real job worker (PostgreSQL; docs/jobs.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob

from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.tests.helpers import open_every_day
from bookings.tests.jobhelpers import free_slots, hold
from testing.qpay_worker import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.long]


@pytest.fixture
def artist(tattooist):
    open_every_day(tattooist)
    return tattooist


class Rollback(Exception):
    pass


def book_then_roll_back(customer, artist, slot) -> None:
    with transaction.atomic():
        hold(customer, artist, expires_in=-timedelta(seconds=1), slot=slot)
        raise Rollback


def test_a_hold_and_its_expiry_job_are_written_together(artist, customer):
    booking = hold(customer, artist, expires_in=timedelta(minutes=5))

    job = ProcrastinateJob.objects.get(task_name="bookings.expire_hold")
    assert job.args == {"booking_id": booking.pk}
    assert job.scheduled_at == booking.hold_expires_at
    assert job.status == "todo"


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(artist, customer, other_customer, run_jobs):
    slots = free_slots(artist, count=2)
    with pytest.raises(Rollback):
        book_then_roll_back(customer, artist, slots[0])
    committed = hold(other_customer, artist, expires_in=-timedelta(seconds=1), slot=slots[1])

    run_jobs()

    assert list(
        ProcrastinateJob.objects.exclude(task_name__startswith="notifications.")
        .order_by("id")
        .values_list("task_name", "args", "status")
    ) == [
        ("bookings.expire_hold", {"booking_id": committed.pk}, "succeeded"),
        ("payments.settle_deposit", {"booking_id": committed.pk}, "succeeded"),  # enqueued by the expiry
    ]
    # the rolled-back booking's mails were rolled back with it: only the committed hold's remain
    # (created and expired, both parties)
    assert ProcrastinateJob.objects.filter(task_name="notifications.send").count() == 4
    assert Booking.objects.get().status == BookingStatus.EXPIRED  # only the committed hold exists


def test_the_procfile_worker_expires_a_hold_within_seconds_of_its_deadline(artist, customer, job_workers):
    worker = job_workers.start()
    booking = hold(customer, artist, expires_in=timedelta(seconds=3))

    job = ProcrastinateJob.objects.filter(task_name="bookings.expire_hold", args={"booking_id": booking.pk})
    wait_for(lambda: job.filter(status="succeeded").exists(), timeout=30)

    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.EXPIRED
    event = BookingEvent.objects.get(booking=booking, to_status=BookingStatus.EXPIRED)
    assert event.created_at >= booking.hold_expires_at  # never early
    assert worker.stop() == 0  # a graceful stop exits cleanly
    assert timezone.now() > booking.hold_expires_at


def test_a_due_hold_expires_within_seconds_and_a_paid_one_does_not(
    artist, customer, other_customer, job_workers, qpay_worker, live_server, settings
):
    from payments.models import Transaction
    from payments.services.invoices import payment_create

    settings.PAYMENT_NOTIFY_URL = f"{live_server.url}/api/payments/notify"
    job_workers.start(QPAY_WORKER_URL=qpay_worker.worker_url)
    unpaid_slot, paid_slot = free_slots(artist, count=2)
    unpaid = hold(customer, artist, expires_in=timedelta(seconds=4), slot=unpaid_slot)
    paid = hold(other_customer, artist, expires_in=timedelta(seconds=4), slot=paid_slot)
    txn, _ = payment_create(user=other_customer, booking_id=paid.pk)
    assert qpay_worker.pay(txn.qpay_invoice_id).status_code == 200  # QPay calls back as usual

    wait_for(lambda: Booking.objects.filter(pk=unpaid.pk, status=BookingStatus.EXPIRED).exists(), timeout=30)
    wait_for(
        lambda: ProcrastinateJob.objects.filter(
            task_name="bookings.expire_hold", args={"booking_id": paid.pk}, status="succeeded"
        ).exists(),
        timeout=30,
    )

    assert (
        BookingEvent.objects.get(booking=unpaid, to_status=BookingStatus.EXPIRED).created_at >= unpaid.hold_expires_at
    )
    paid.refresh_from_db()
    assert (paid.status, paid.payment_status) == ("confirmed", "paid")
    assert not BookingEvent.objects.filter(booking=paid, to_status=BookingStatus.EXPIRED).exists()
    assert Transaction.objects.get(pk=txn.pk).status == "paid"


def test_a_job_whose_worker_is_killed_mid_run_is_retried_by_another_worker_once(
    artist, customer, job_workers, tmp_path
):
    from bookings.tests.factories import BookingFactory
    from tattoo.core.jobs import enqueue

    # A hold written without its own expiry job; the gated job below is the only one that expires
    # it (5 s late, well inside the minute sweep's grace).
    booking = BookingFactory(customer=customer, tattooist=artist, hold_expires_at=timezone.now() - timedelta(seconds=5))
    first = job_workers.start(name="first")
    job_id = enqueue("testing.gated_hold_expiry", booking_id=booking.pk, gate_dir=str(tmp_path))
    wait_for(lambda: list(tmp_path.glob("started-*")), timeout=30)
    assert ProcrastinateJob.objects.get(pk=job_id).status == "doing"

    first.kill()
    (tmp_path / "open").touch()
    job_workers.start(name="second")

    wait_for(lambda: ProcrastinateJob.objects.get(pk=job_id).status == "succeeded", timeout=30)
    assert len(list(tmp_path.glob("started-*"))) == 2  # it ran again, in the second worker
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert BookingEvent.objects.filter(booking=booking, to_status=BookingStatus.EXPIRED).count() == 1
    event_types = list(ProcrastinateEvent.objects.filter(job_id=job_id).order_by("id").values_list("type", flat=True))
    assert event_types.count("started") == 2
    assert "deferred_for_retry" in event_types  # put back by the stalled-job check, not by hand


def test_two_workers_side_by_side_run_each_periodic_job_once_per_tick(job_workers):
    job_workers.start(name="left")
    job_workers.start(name="right")

    wait_for(lambda: ProcrastinateJob.objects.filter(task_name="testing.tick", status="succeeded").count() >= 5)
    job_workers.stop_all()

    ticks = list(ProcrastinateJob.objects.filter(task_name="testing.tick").values_list("args", flat=True))
    stamps = [args["timestamp"] for args in ticks]
    assert len(stamps) == len(set(stamps)) >= 5  # one job per tick, never two
    assert max(stamps) - min(stamps) >= 4  # over several ticks, both workers deferring each
