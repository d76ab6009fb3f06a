"""Hold expiry on a real job worker (PostgreSQL; docs/jobs.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.tests.conftest import open_every_day
from bookings.tests.jobhelpers import free_slots, hold
from qpay_worker.testing import wait_for

pytestmark = [pytest.mark.django_db(transaction=True)]


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

    assert list(ProcrastinateJob.objects.order_by("id").values_list("task_name", "args", "status")) == [
        ("bookings.expire_hold", {"booking_id": committed.pk}, "succeeded"),
        ("payments.settle_deposit", {"booking_id": committed.pk}, "succeeded"),  # enqueued by the expiry
    ]
    assert Booking.objects.get().status == BookingStatus.EXPIRED  # only the committed hold exists


def test_the_procfile_worker_expires_a_hold_within_seconds_of_its_deadline(artist, customer, job_workers):
    worker = job_workers.start()
    booking = hold(customer, artist, expires_in=timedelta(seconds=3))

    wait_for(lambda: Booking.objects.filter(pk=booking.pk, status=BookingStatus.EXPIRED).exists(), timeout=30)

    event = BookingEvent.objects.get(booking=booking, to_status=BookingStatus.EXPIRED)
    assert event.created_at >= booking.hold_expires_at  # never early
    job = ProcrastinateJob.objects.get(task_name="bookings.expire_hold", args={"booking_id": booking.pk})
    assert job.status == "succeeded"
    assert worker.stop() == 0  # a graceful stop exits cleanly
    assert timezone.now() > booking.hold_expires_at
