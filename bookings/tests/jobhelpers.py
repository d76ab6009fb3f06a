"""Helpers for tests that run jobs: real holds made by the booking service, due when asked."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import tattooist_slots
from bookings.services.create import booking_create


def free_slots(artist, *, count: int = 1):
    now = timezone.now()
    starts = tattooist_slots(tattooist=artist, start=now, end=now + timedelta(days=14)).starts
    # one per local day apart keeps the per-day hold cap out of the way
    picked, days = [], set()
    for start in starts:
        if start.date() not in days:
            picked.append(start)
            days.add(start.date())
        if len(picked) == count:
            return picked
    raise AssertionError("the artist has too few free slots")


def hold(customer, artist, *, expires_in: timedelta, slot=None) -> Booking:
    """A pending, unpaid hold made by booking_create whose hold runs out `expires_in` from now
    (negative: already due), with its expiry job written exactly as in production."""
    slot = slot or free_slots(artist)[0]
    booked_at = timezone.now() - timedelta(minutes=settings.BOOKING_HOLD_MINUTES) + expires_in
    return booking_create(
        customer=customer,
        tattooist_id=artist.pk,
        slot=slot,
        deposit_amount=artist.min_deposit or 50000,
        now=booked_at,
    )
