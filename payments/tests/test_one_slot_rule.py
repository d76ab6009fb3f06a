"""One rule answers "may this booking take this slot" for every path (bookings/rules.py): a new
booking, a move and a late payment bringing an expired hold back are refused the same slot for the
same reason. Over HTTP: the booking API, and the worker's signed payment notification."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.tests.factories import CustomerFactory
from bookings.models import Availability, Booking, BookingEvent, BookingStatus, TimeOff
from bookings.tests.factories import BookingFactory, bookable_slot
from payments.tests.factories import TransactionFactory
from payments.tests.test_notify import notification, post
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def time_off(artist, slot, ends_at):
    TimeOff.objects.create(tattooist=artist, starts_at=slot - timedelta(hours=1), ends_at=ends_at)


def deactivated(artist, slot, ends_at):
    artist.user.is_active = False
    artist.user.save(update_fields=["is_active"])


def no_hours(artist, slot, ends_at):
    Availability.objects.filter(tattooist=artist).delete()


def taken(artist, slot, ends_at):
    BookingFactory(tattooist=artist, slot=slot, ends_at=ends_at, status=BookingStatus.CONFIRMED)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (time_off, "time_off"),
        (deactivated, "artist_not_approved"),
        (no_hours, "outside_availability"),
        (taken, "slot_taken"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_create_reschedule_and_a_late_payment_are_refused_one_slot_for_one_reason(tattooist, change, code):
    slot, ends_at = bookable_slot(tattooist, days=4)
    elsewhere, elsewhere_end = bookable_slot(tattooist, days=6)
    moving = BookingFactory(tattooist=tattooist, slot=elsewhere, ends_at=elsewhere_end, status=BookingStatus.CONFIRMED)
    late = TransactionFactory(
        booking__status=BookingStatus.EXPIRED,
        booking__tattooist=tattooist,
        booking__slot=slot,
        booking__ends_at=ends_at,
    )
    change(tattooist, slot, ends_at)

    created = client_for(CustomerFactory()).post(
        "/api/bookings",
        {"tattooistId": tattooist.pk, "slot": slot.isoformat(), "depositAmount": "50000"},
        format="json",
    )
    moved = client_for(moving.customer).post(
        f"/api/bookings/{moving.pk}/reschedule", {"slot": slot.isoformat()}, format="json"
    )
    paid_late = post(notification(late))

    assert created.json()["code"] == code, created.json()
    assert moved.json()["code"] == code, moved.json()
    assert paid_late.json() == {"result": "late_payment"}
    notes = BookingEvent.objects.filter(booking_id=late.booking_id).values_list("note", flat=True)
    assert any(note.endswith(f"arrived after the slot was lost ({code}): refunded") for note in notes), notes
    assert Booking.objects.get(pk=moving.pk).slot == elsewhere
    assert Booking.objects.get(pk=late.booking_id).status == BookingStatus.EXPIRED
    assert not Booking.objects.filter(status=BookingStatus.PENDING).exists()  # the create wrote nothing
