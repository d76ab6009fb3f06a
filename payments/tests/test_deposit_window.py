"""The free-cancel right is fixed by the start in force when the deposit was paid (issue 26, item 3;
docs/deposits.md, "The free-cancel deadline"): a customer's move cannot create it, an artist's move
cannot take it away. Over HTTP: the deposit paid by the worker's signed notification, the moves and
the cancel by the parties' API calls; then the settle job's body."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from bookings.models import Booking, BookingStatus, PaymentStatus
from bookings.tests.factories import BookingFactory, bookable_slot
from payments.ledger import deposit_ledger
from payments.services.checks import payment_settle_booking
from payments.tests.factories import TransactionFactory
from payments.tests.test_notify import notification, post
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def paid_booking(tattooist, *, days: int, hours: int) -> Booking:
    """A hold `days` ahead (at noon, the artist's time) under a `hours` refund window, its deposit
    paid through the notify path (which fixes the deadline)."""
    slot, ends_at = bookable_slot(tattooist, days=days)
    booking = BookingFactory(
        tattooist=tattooist,
        slot=slot,
        ends_at=ends_at,
        deposit_refundable_hours=hours,
        payment_status=PaymentStatus.PENDING,
    )
    txn = TransactionFactory(booking=booking)
    assert post(notification(txn)).json() == {"result": "processed"}
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    return booking


def move(user, booking: Booking, *, days: int):
    slot, _ = bookable_slot(booking.tattooist, days=days)
    response = client_for(user).post(
        f"/api/bookings/{booking.pk}/reschedule", {"slot": slot.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


def cancel_and_settle(booking: Booking) -> dict:
    response = client_for(booking.customer).patch(f"/api/bookings/{booking.pk}", {"status": "cancelled"}, format="json")
    assert response.status_code == 200, response.json()
    payment_settle_booking(booking_id=booking.pk)  # the settle job's body
    ledger = deposit_ledger(booking=Booking.objects.get(pk=booking.pk))
    return {"kept": ledger.kept, "refunded": ledger.refunded + ledger.refund_pending}


def test_a_customer_who_paid_inside_the_window_cannot_buy_a_free_cancel_by_moving_60_days_out(tattooist):
    # Paid 3 days ahead under a 96-hour window: no free cancel from the start.
    booking = paid_booking(tattooist, days=3, hours=96)
    paid_at_start = booking.slot

    body = move(booking.customer, booking, days=60)

    assert cancel_and_settle(booking) == {"kept": Decimal("50000.00"), "refunded": Decimal("0.00")}
    fixed = paid_at_start - timedelta(hours=96)
    assert body["refundableUntil"] == fixed.isoformat().replace("+00:00", "Z")
    assert Booking.objects.get(pk=booking.pk).refundable_until == fixed


def test_an_artist_who_moves_a_booking_to_tomorrow_does_not_take_the_free_cancel_away(tattooist):
    # Paid 10 days ahead under a 48-hour window: free cancel for about 8 more days.
    booking = paid_booking(tattooist, days=10, hours=48)
    paid_at_start = booking.slot

    move(tattooist.user, booking, days=1)  # the customer cannot come tomorrow

    page = Client()
    page.force_login(booking.customer)
    html = page.get(f"/bookings/{booking.pk}/").content.decode()
    assert "this deadline was fixed when the deposit was paid" in html
    assert cancel_and_settle(booking) == {"kept": Decimal("0.00"), "refunded": Decimal("50000.00")}
    assert Booking.objects.get(pk=booking.pk).refundable_until == paid_at_start - timedelta(hours=48)


def test_an_artist_who_moves_a_booking_inside_the_window_leaves_the_customer_free_to_refuse_it(tattooist):
    # Paid 3 days ahead under a 96-hour window (no free cancel left), then moved by the artist.
    booking = paid_booking(tattooist, days=3, hours=96)

    move(tattooist.user, booking, days=2)

    assert cancel_and_settle(booking) == {"kept": Decimal("0.00"), "refunded": Decimal("50000.00")}
    moved = Booking.objects.get(pk=booking.pk)
    assert moved.refundable_until == moved.slot  # until the new start


def test_an_artist_who_moves_a_booking_later_extends_the_window_to_the_new_start(tattooist):
    booking = paid_booking(tattooist, days=5, hours=48)

    move(tattooist.user, booking, days=20)

    moved = Booking.objects.get(pk=booking.pk)
    assert moved.refundable_until == moved.slot - timedelta(hours=48)


def test_before_any_money_the_deadline_follows_the_start_and_is_fixed_by_the_payment(tattooist):
    slot, ends_at = bookable_slot(tattooist, days=4)
    booking = BookingFactory(tattooist=tattooist, slot=slot, ends_at=ends_at, deposit_refundable_hours=48)
    move(booking.customer, booking, days=30)
    booking.refresh_from_db()
    assert booking.refundable_until is None
    api = client_for(booking.customer).get(f"/api/bookings/{booking.pk}").json()
    assert api["refundableUntil"] == (booking.slot - timedelta(hours=48)).isoformat().replace("+00:00", "Z")

    Booking.objects.filter(pk=booking.pk).update(payment_status=PaymentStatus.PENDING)
    assert post(notification(TransactionFactory(booking=booking))).json() == {"result": "processed"}

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.refundable_until == booking.slot - timedelta(hours=48)
    assert booking.refundable_until > timezone.now()
