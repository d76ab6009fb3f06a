"""Which jobs a booking's moves enqueue (the engine's InMemoryConnector: unit tests of what is
enqueued; the jobs themselves run on real workers in test_jobs.py and payments' lifecycle tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import BookingStatus, PaymentStatus
from bookings.tests.factories import BookingFactory
from bookings.transitions import PRE_SESSION_CHECK_LEAD, booking_move

pytestmark = pytest.mark.django_db


# Mail (notifications.send), reminders and the consent form's link go with moves too: notifications',
# test_notices.py's and test_consent.py's.
MAIL_TASKS = ("notifications.", "bookings.send_reminder", "bookings.send_consent_request")


def payment_jobs(in_memory_jobs) -> list[dict]:
    return [j for j in in_memory_jobs.connector.jobs.values() if not j["task_name"].startswith(MAIL_TASKS)]


def enqueued(in_memory_jobs) -> list[tuple[str, dict]]:
    return [(job["task_name"], job["args"]) for job in payment_jobs(in_memory_jobs)]


@pytest.mark.parametrize("payment_status", [PaymentStatus.PENDING, PaymentStatus.UNPAID, PaymentStatus.PAID])
def test_cancelling_a_booking_enqueues_its_settle_job(in_memory_jobs, payment_status):
    # the settle job checks any open invoice once, cancels it at QPay, then applies the deposit
    # policy (docs/deposits.md): one job for every ending, whatever was paid
    booking = BookingFactory(payment_status=payment_status)
    booking_move(booking_id=booking.pk, actor=None, to_status=BookingStatus.CANCELLED)
    assert enqueued(in_memory_jobs) == [("payments.settle_deposit", {"booking_id": booking.pk})]


def test_confirming_an_unpaid_booking_enqueues_the_pre_session_check_24_hours_ahead(in_memory_jobs):
    booking = BookingFactory(slot=timezone.now().replace(microsecond=0) + timedelta(days=5))
    booking_move(booking_id=booking.pk, actor=None, to_status=BookingStatus.CONFIRMED)
    [job] = payment_jobs(in_memory_jobs)
    assert (job["task_name"], job["args"]) == (
        "payments.check_before_session",
        {"booking_id": booking.pk, "slot": booking.slot.isoformat()},
    )
    assert job["scheduled_at"] == booking.slot - PRE_SESSION_CHECK_LEAD


def test_a_paid_confirmation_needs_no_pre_session_check(in_memory_jobs):
    booking = BookingFactory(payment_status=PaymentStatus.PENDING)
    booking_move(
        booking_id=booking.pk, actor=None, to_status=BookingStatus.CONFIRMED, to_payment_status=PaymentStatus.PAID
    )
    assert enqueued(in_memory_jobs) == []


def test_the_pre_session_check_of_a_session_less_than_a_day_away_is_due_at_once(in_memory_jobs):
    booking = BookingFactory(slot=timezone.now().replace(microsecond=0) + timedelta(hours=3))
    before = timezone.now()
    booking_move(booking_id=booking.pk, actor=None, to_status=BookingStatus.CONFIRMED)
    [job] = payment_jobs(in_memory_jobs)
    assert before <= job["scheduled_at"] <= timezone.now()


def test_an_expiry_job_started_a_moment_before_the_hold_ran_out_comes_back_at_its_time(in_memory_jobs):
    from bookings.tasks import expire_hold

    booking = BookingFactory(hold_expires_at=timezone.now() + timedelta(seconds=30))
    assert expire_hold(booking_id=booking.pk) == "early"
    [job] = in_memory_jobs.connector.jobs.values()
    assert (job["task_name"], job["args"]) == ("bookings.expire_hold", {"booking_id": booking.pk})
    assert job["scheduled_at"] == booking.hold_expires_at
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING


def test_an_expiry_job_for_a_paid_hold_does_nothing(in_memory_jobs):
    from bookings.tasks import expire_hold

    booking = BookingFactory(
        status=BookingStatus.CONFIRMED,
        payment_status=PaymentStatus.PAID,
        hold_expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert expire_hold(booking_id=booking.pk) == "not_due"
    assert enqueued(in_memory_jobs) == []
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
