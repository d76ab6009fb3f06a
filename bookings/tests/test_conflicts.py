"""What a booking write's database conflicts answer (bookings/services/conflicts.py): the database's
own guards (the exclusion and CHECK constraints) and a race lost every time reach the API as clean
errors, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import IntegrityError, transaction

from bookings.models import Booking, BookingEvent, BookingStatus, PaymentStatus
from bookings.services.conflicts import booking_write_retry
from bookings.tests.factories import BookingFactory
from bookings.transitions import booking_move
from tattoo.core.errors import ApplicationError, ConflictError
from tattoo.core.models import CacheVersion
from testing.races import lose_a_write_race

pytestmark = pytest.mark.django_db

# Wednesday 2026-06-03 12:00 in Ulaanbaatar (+08:00) = 04:00Z, inside the 10:00-18:00 window.
NOON = datetime(2026, 6, 3, 4, 0, tzinfo=UTC)


def test_the_exclusion_constraint_is_the_last_guard_and_becomes_slot_taken(frozen, open_artist, customer):
    BookingFactory(tattooist=open_artist, slot=NOON, ends_at=NOON + timedelta(hours=2))

    def write_around_the_service():
        with transaction.atomic():
            return BookingFactory(tattooist=open_artist, slot=NOON + timedelta(hours=1))

    with pytest.raises(ConflictError) as caught:
        booking_write_retry(write_around_the_service)
    assert caught.value.code == "slot_taken"
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert isinstance(caught.value.__cause__.__cause__, psycopg.errors.ExclusionViolation)
    assert Booking.objects.count() == 1


def test_a_check_violation_becomes_a_400_not_a_500(frozen, open_artist):
    def too_long():
        with transaction.atomic():
            return BookingFactory(tattooist=open_artist, slot=NOON, ends_at=NOON + timedelta(hours=13))

    with pytest.raises(ApplicationError) as caught:
        booking_write_retry(too_long)
    assert caught.value.status_code == 400
    assert isinstance(caught.value.__cause__.__cause__, psycopg.errors.CheckViolation)


@pytest.mark.django_db(transaction=True)
def test_a_write_that_keeps_losing_its_race_is_answered_409_try_again():
    CacheVersion.objects.create(key="k")
    attempts = []

    def always_loses():
        attempts.append(1)
        with transaction.atomic():
            lose_a_write_race(key="k")

    with pytest.raises(ConflictError) as caught:
        booking_write_retry(always_loses)
    assert (caught.value.status_code, caught.value.code) == (409, "try_again")
    assert isinstance(caught.value.__cause__.__cause__, psycopg.errors.SerializationFailure)
    assert len(attempts) == 3


def test_a_late_payment_can_never_revive_an_expired_booking_onto_a_taken_slot(frozen, open_artist):
    expired = BookingFactory(tattooist=open_artist, slot=NOON, status=BookingStatus.EXPIRED)
    BookingFactory(tattooist=open_artist, slot=NOON + timedelta(hours=1))  # took the freed slot meanwhile

    with pytest.raises(ConflictError) as caught:
        booking_write_retry(
            lambda: booking_move(
                booking_id=expired.pk, actor=None, to_status=BookingStatus.CONFIRMED, to_payment_status="paid"
            )
        )

    assert caught.value.code == "slot_taken"
    expired.refresh_from_db()
    assert (expired.status, expired.payment_status) == (BookingStatus.EXPIRED, PaymentStatus.UNPAID)
    assert not BookingEvent.objects.filter(booking=expired).exists()
