"""Helpers for tests that run jobs: real holds made by the booking service, due when asked."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import booking_bounds, tattooist_slots
from bookings.services.create import booking_create

# The first free start can lie seconds past the minimum notice; a test that books it after waiting
# for a mail or a job would then be refused `too_soon`, at some times of day and not others.
NOTICE_MARGIN = timedelta(hours=1)


def free_slots(artist, *, count: int = 1):
    """`count` free starts of `artist`, one per day, each at least an hour past the minimum notice."""
    now = timezone.now()
    notice, _horizon = booking_bounds()
    starts = tattooist_slots(
        tattooist=artist, start=now + notice + NOTICE_MARGIN, end=now + timedelta(days=14), now=now
    ).starts
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
