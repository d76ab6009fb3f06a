"""A late payment brings an expired hold back only by the one rule of bookings/rules.py (issue 26,
item 9): the artist still approved and active and working those hours, besides the slot being
ahead, free of time off and of other bookings. Over HTTP: the worker's signed notification."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Availability, Booking, BookingStatus
from bookings.tests.factories import bookable_slot
from payments.models import Transaction
from payments.tests.factories import TransactionFactory
from payments.tests.test_notify import notification, post
from testing.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired_txn(tattooist) -> Transaction:
    slot, ends_at = bookable_slot(tattooist)
    return TransactionFactory(
        booking__status=BookingStatus.EXPIRED,
        booking__tattooist=tattooist,
        booking__slot=slot,
        booking__ends_at=ends_at,
    )


def unapprove(artist):
    artist.approved = False
    artist.save(update_fields=["approved"])


def deactivate(artist):
    artist.user.is_active = False
    artist.user.save(update_fields=["is_active"])


def stop_working(artist):
    Availability.objects.filter(tattooist=artist).delete()


@pytest.mark.parametrize("change", [unapprove, deactivate, stop_working], ids=lambda f: f.__name__)
def test_a_late_payment_does_not_bring_back_a_hold_its_artist_no_longer_takes(expired_txn, change):
    change(expired_txn.booking.tattooist)

    assert post(notification(expired_txn)).json() == {"result": "late_payment"}

    booking = Booking.objects.get(pk=expired_txn.booking_id)
    assert (booking.status, booking.payment_status) == ("expired", "refunded")
    expired_txn.refresh_from_db()
    assert (expired_txn.flag, expired_txn.refunded_amount) == ("late_payment", Decimal("50000.00"))


def test_a_late_payment_brings_back_a_hold_the_rule_still_allows(expired_txn):
    assert post(notification(expired_txn)).json() == {"result": "processed"}
    booking = Booking.objects.get(pk=expired_txn.booking_id)
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")


def test_a_reschedule_asks_the_same_rule_of_an_artist_who_stopped_taking_bookings(expired_txn, admin_user):
    booking = expired_txn.booking
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CONFIRMED)
    unapprove(booking.tattooist)

    response = client_for(admin_user).post(
        f"/api/bookings/{booking.pk}/reschedule",
        {"slot": (booking.slot + timedelta(hours=2)).isoformat()},
        format="json",
    )

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "artist_not_approved"
    assert Booking.objects.get(pk=booking.pk).slot == booking.slot
