from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from bookings.models import BookingStatus, PaymentStatus
from bookings.tests.factories import BookingFactory
from reviews.models import Review


class CompletedBookingFactory(BookingFactory):
    """A session that took place `days_ago` days ago (default 2) and was marked completed."""

    class Params:
        days_ago = 2

    slot = factory.LazyAttribute(lambda o: timezone.now().replace(microsecond=0) - timedelta(days=o.days_ago))
    status = BookingStatus.COMPLETED
    payment_status = PaymentStatus.PAID
    hold_expires_at = None


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review row written directly: the artist's counters are NOT moved (tests that need them
    exact go through reviews/services.py)."""

    class Meta:
        model = Review

    booking = factory.SubFactory(CompletedBookingFactory)
    tattooist = factory.LazyAttribute(lambda o: o.booking.tattooist)
    customer = factory.LazyAttribute(lambda o: o.booking.customer)
    rating = 5
    text = "Гайхалтай"
