from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.models import (
    Availability,
    Booking,
    BookingEvent,
    BookingStatus,
    ConsentRecord,
    PaymentStatus,
    TimeOff,
)


class AvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Availability

    tattooist = factory.SubFactory(TattooistFactory)
    day = 1
    start_time = time(10)
    end_time = time(18)


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking row written directly (no service rules): for tests that need one in a given state."""

    class Meta:
        model = Booking

    customer = factory.SubFactory(CustomerFactory)
    tattooist = factory.SubFactory(TattooistFactory)
    slot = factory.Sequence(lambda n: timezone.now().replace(microsecond=0) + timedelta(days=3, hours=3 * n))
    ends_at = factory.LazyAttribute(lambda o: o.slot + timedelta(minutes=o.tattooist.session_minutes))
    status = BookingStatus.PENDING
    payment_status = PaymentStatus.UNPAID
    deposit_amount = Decimal("50000.00")
    hold_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))


class PaidBookingFactory(BookingFactory):
    """A confirmed booking whose deposit is paid."""

    status = BookingStatus.CONFIRMED
    payment_status = PaymentStatus.PAID
    hold_expires_at = None


class TimeOffFactory(factory.django.DjangoModelFactory):
    """A day off starting a week from now (tests pass their own instants)."""

    class Meta:
        model = TimeOff

    tattooist = factory.SubFactory(TattooistFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=1))
    reason = ""


class BookingEventFactory(factory.django.DjangoModelFactory):
    """An audit row written directly (booking_move writes the real ones)."""

    class Meta:
        model = BookingEvent

    booking = factory.SubFactory(BookingFactory)
    actor = factory.LazyAttribute(lambda o: o.booking.customer)
    from_status = BookingStatus.PENDING
    to_status = BookingStatus.CANCELLED


def bookable_slot(tattooist, *, days: int = 3, at: time = time(12)):
    """(start, end) of a session `days` ahead at `at` on the artist's wall clock, which the artist's
    hours (opened 10:00-18:00 every day here) and nothing else rule out: a booking placed there by
    a factory may take its slot by bookings/rules.py."""
    from zoneinfo import ZoneInfo

    from bookings.tests.helpers import open_every_day

    if not Availability.objects.filter(tattooist=tattooist).exists():
        open_every_day(tattooist)
    day = timezone.now().astimezone(ZoneInfo(tattooist.timezone)).date() + timedelta(days=days)
    start = datetime.combine(day, at, tzinfo=ZoneInfo(tattooist.timezone))
    return start, start + timedelta(minutes=tattooist.session_minutes)


# What a signed consent form holds (bookings/consent.py), for tests that need one signed.
SIGNED_FORM = {
    "dateOfBirth": "1990-05-17",
    "answers": {
        "pregnantOrNursing": False,
        "bloodThinners": False,
        "skinCondition": False,
        "diabetes": False,
        "heartCondition": False,
        "epilepsy": False,
        "allergies": "",
        "medications": "",
        "notes": "",
    },
    "signature": "Test Customer",
    "flags": [],
}


def _sealed(form: dict):
    from tattoo.core import crypto

    return crypto.seal(form)


class ConsentFactory(factory.django.DjangoModelFactory):
    """A signed consent written directly (sealed as bookings/consent.py seals one): a booking that
    may be marked completed."""

    class Meta:
        model = ConsentRecord

    class Params:
        form = SIGNED_FORM

    booking = factory.SubFactory(BookingFactory)
    sealed = factory.LazyAttribute(lambda o: _sealed(o.form).token)
    key_id = factory.LazyAttribute(lambda o: _sealed(o.form).key_id)
    signed_at = factory.LazyFunction(timezone.now)
