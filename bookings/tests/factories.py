from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.models import Availability, Booking, BookingEvent, BookingStatus, PaymentStatus, TimeOff


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
