"""Booking churn is bounded (issue 26, item 5; docs/api.md, "Rates"): per user, booking creates,
cancels and payment creates answer 429 `rate_limited` beyond their rate, and a customer who
cancelled too many unpaid holds in 24 hours gets 409 `too_many_cancelled_holds`. Over HTTP."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.factories import BookingFactory, bookable_slot
from bookings.tests.helpers import open_every_day
from payments.models import Transaction
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def create(client, artist, *, days: int):
    slot, _ = bookable_slot(artist, days=days)
    return client.post(
        "/api/bookings",
        {"tattooistId": artist.pk, "slot": slot.isoformat(), "depositAmount": "50000"},
        format="json",
    )


def test_booking_creates_beyond_the_rate_are_429_with_retry_after_and_write_nothing(customer, tattooist, settings):
    settings.BOOKING_CREATE_RATE = "2/hour"
    settings.BOOKING_MAX_UNPAID_HOLDS = 10
    client = client_for(customer)

    assert create(client, tattooist, days=2).status_code == 201
    assert create(client, tattooist, days=3).status_code == 201
    refused = create(client, tattooist, days=4)

    assert refused.status_code == 429, refused.json()
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert Booking.objects.filter(customer=customer).count() == 2
    # the rate is the user's: another customer still books
    other = client_for(BookingFactory().customer)
    assert create(other, tattooist, days=5).status_code == 201


def test_cancels_beyond_the_rate_are_429_for_customers_and_artists_but_not_staff(tattooist, admin_user, settings):
    settings.BOOKING_CANCEL_RATE = "1/hour"
    first, second, third = (BookingFactory(tattooist=tattooist) for _ in range(3))
    artist = client_for(tattooist.user)

    assert artist.patch(f"/api/bookings/{first.pk}", {"status": "cancelled"}, format="json").status_code == 200
    refused = artist.patch(f"/api/bookings/{second.pk}", {"status": "cancelled"}, format="json")
    assert refused.status_code == 429, refused.json()
    assert refused.json()["code"] == "rate_limited"
    assert Booking.objects.get(pk=second.pk).status == "pending"

    customer = client_for(third.customer)
    assert customer.patch(f"/api/bookings/{third.pk}", {"status": "cancelled"}, format="json").status_code == 200
    staff = client_for(admin_user)
    assert staff.patch(f"/api/bookings/{second.pk}", {"status": "cancelled"}, format="json").status_code == 200


@pytest.mark.e2e
def test_payment_creates_beyond_the_rate_are_429_before_any_qpay_call(customer, qpay_worker, settings):
    settings.PAYMENT_CREATE_RATE = "1/hour"
    booking = BookingFactory(customer=customer, deposit_amount=Decimal("50000.00"))
    client = client_for(customer)
    assert client.post("/api/payments/create", {"bookingId": booking.pk}, format="json").status_code == 201
    calls = qpay_worker.calls()

    refused = client.post("/api/payments/create", {"bookingId": booking.pk}, format="json")

    assert refused.status_code == 429, refused.json()
    assert refused.json()["code"] == "rate_limited"
    assert qpay_worker.calls() == calls
    assert Transaction.objects.filter(booking=booking).count() == 1


def test_a_customer_who_cancelled_too_many_holds_today_cannot_place_another(customer, tattooist, settings):
    settings.BOOKING_MAX_CANCELLED_HOLDS_PER_DAY = 2
    open_every_day(tattooist)
    client = client_for(customer)
    for days in (2, 3):
        booking_id = create(client, tattooist, days=days).json()["id"]
        cancelled = client.patch(f"/api/bookings/{booking_id}", {"status": "cancelled"}, format="json")
        assert cancelled.status_code == 200

    refused = create(client, tattooist, days=4)

    assert refused.status_code == 409, refused.json()
    assert refused.json()["code"] == "too_many_cancelled_holds"
    assert Booking.objects.filter(customer=customer).count() == 2

    with time_machine.travel(timezone.now() + timedelta(hours=25)):  # a day later the cap is lifted
        assert create(client_for(customer), tattooist, days=4).status_code == 201


def test_holds_the_artist_cancelled_do_not_count_against_the_customer(customer, tattooist, settings):
    settings.BOOKING_MAX_CANCELLED_HOLDS_PER_DAY = 1
    client = client_for(customer)
    booking_id = create(client, tattooist, days=2).json()["id"]
    client_for(tattooist.user).patch(f"/api/bookings/{booking_id}", {"status": "cancelled"}, format="json")

    assert create(client, tattooist, days=3).status_code == 201
