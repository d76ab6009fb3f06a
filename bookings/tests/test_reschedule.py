"""Moving a booking to another start (POST /api/bookings/{id}/reschedule; docs/reliability.md B7)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import AdminFactory, CustomerFactory, TattooistFactory
from bookings.models import Booking, BookingEvent, BookingStatus, TimeOff
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import open_every_day
from testing.clients import client_for
from testing.races import hammer

pytestmark = pytest.mark.django_db

# NOW (bookings/tests/conftest.py) is Monday 2026-06-01 08:00 in Ulaanbaatar (+08:00).
WED_NOON = datetime(2026, 6, 3, 4, 0, tzinfo=UTC)  # 12:00 local
FRI_NOON = datetime(2026, 6, 5, 4, 0, tzinfo=UTC)


def book(customer, artist, slot=WED_NOON) -> Booking:
    response = client_for(customer).post(
        "/api/bookings", {"tattooistId": artist.pk, "slot": slot.isoformat(), "depositAmount": "50000"}, format="json"
    )
    assert response.status_code == 201, response.json()
    return Booking.objects.get(pk=response.json()["id"])


def move(user, booking, slot: datetime | str):
    value = slot if isinstance(slot, str) else slot.isoformat()
    return client_for(user).post(f"/api/bookings/{booking.pk}/reschedule", {"slot": value}, format="json")


def starts(api_client, artist, day: str) -> list[str]:
    body = api_client.get(f"/api/tattooists/{artist.pk}/slots", {"from": day, "to": day}).json()
    return [s["start"] for s in body["slots"]]


def test_a_customer_moves_a_hold_once_and_the_slot_lists_follow(frozen, open_artist, customer, api_client):
    booking = book(customer, open_artist)
    hold_expires_at, length = booking.hold_expires_at, booking.ends_at - booking.slot
    assert "2026-06-05T04:00:00Z" in starts(api_client, open_artist, "2026-06-05")
    assert "2026-06-03T04:00:00Z" not in starts(api_client, open_artist, "2026-06-03")

    response = move(customer, booking, "2026-06-05T12:00:00+08:00")

    assert response.status_code == 200, response.json()
    assert response.json()["slot"] == "2026-06-05T04:00:00Z"
    booking.refresh_from_db()
    assert (booking.slot, booking.ends_at - booking.slot) == (FRI_NOON, length)
    assert (booking.status, booking.hold_expires_at, booking.customer_reschedules) == ("pending", hold_expires_at, 1)
    event = BookingEvent.objects.filter(booking=booking).latest("id")
    assert event.actor_id == customer.pk
    assert event.note == f"rescheduled from {WED_NOON.isoformat()} to {FRI_NOON.isoformat()}"
    # the public slot lists follow at once (they are cached per artist schedule version)
    assert "2026-06-03T04:00:00Z" in starts(api_client, open_artist, "2026-06-03")
    assert "2026-06-05T04:00:00Z" not in starts(api_client, open_artist, "2026-06-05")

    again = move(customer, booking, WED_NOON)
    assert again.status_code == 409
    assert again.json()["code"] == "reschedule_limit"
    by_artist = move(open_artist.user, booking, WED_NOON)
    assert by_artist.status_code == 200, by_artist.json()
    booking.refresh_from_db()
    assert (booking.slot, booking.customer_reschedules) == (WED_NOON, 1)


def test_customers_must_move_well_ahead_but_the_artist_and_staff_need_not(frozen, open_artist, customer, settings):
    booking = BookingFactory(
        customer=customer, tattooist=open_artist, slot=WED_NOON, ends_at=WED_NOON + timedelta(hours=2)
    )
    settings.BOOKING_RESCHEDULE_NOTICE_HOURS = 72  # the booking starts in 52 hours
    late = move(customer, booking, FRI_NOON)
    assert late.status_code == 409
    assert late.json()["code"] == "reschedule_too_late"
    assert move(AdminFactory(), booking, FRI_NOON).status_code == 200
    assert move(open_artist.user, booking, FRI_NOON + timedelta(hours=2)).status_code == 200
    booking.refresh_from_db()
    assert booking.customer_reschedules == 0


@pytest.mark.parametrize(
    ("slot", "status", "code"),
    [
        ("2026-06-03T12:00:00+08:00", 400, "same_slot"),
        ("2026-06-03T19:00:00+08:00", 400, "outside_availability"),
        ("2026-06-01T09:00:00+08:00", 400, "too_soon"),
        ("2026-06-03T12:00:00", 400, "invalid"),
        ("2027-06-03T12:00:00+08:00", 400, "beyond_horizon"),
        ("2026-06-04T12:00:00+08:00", 400, "time_off"),
        ("2026-06-05T13:00:00+08:00", 409, "slot_taken"),
    ],
)
def test_a_move_to_a_time_that_is_not_bookable_is_refused_and_changes_nothing(
    frozen, open_artist, customer, other_customer, slot, status, code
):
    booking = book(customer, open_artist)
    book(other_customer, open_artist, FRI_NOON)
    thursday = datetime(2026, 6, 4, 0, tzinfo=UTC)
    TimeOff.objects.create(tattooist=open_artist, starts_at=thursday, ends_at=thursday + timedelta(hours=12))
    events = BookingEvent.objects.count()

    response = move(customer, booking, slot)

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    booking.refresh_from_db()
    assert (booking.slot, booking.customer_reschedules) == (WED_NOON, 0)
    assert BookingEvent.objects.count() == events


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.COMPLETED, BookingStatus.EXPIRED])
def test_a_booking_that_is_over_cannot_be_moved(frozen, open_artist, customer, status):
    booking = BookingFactory(customer=customer, tattooist=open_artist, slot=WED_NOON, status=status)
    response = move(customer, booking, FRI_NOON)
    assert response.status_code == 409
    assert response.json()["code"] == "not_reschedulable"


def test_only_the_parties_and_staff_may_move_a_booking(frozen, open_artist, customer, other_customer):
    booking = book(customer, open_artist)
    assert move(other_customer, booking, FRI_NOON).status_code == 403
    assert move(TattooistFactory().user, booking, FRI_NOON).status_code == 403
    assert move(customer, Booking(pk=999999), FRI_NOON).status_code == 404
    booking.refresh_from_db()
    assert booking.slot == WED_NOON


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_ten_bookings_racing_onto_one_free_slot_leave_one_winner():
    artist = TattooistFactory(session_minutes=60)
    open_every_day(artist)
    first_day = (timezone.now() + timedelta(days=3)).astimezone(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    target = first_day + timedelta(days=5)
    bookings = [
        BookingFactory(
            customer=CustomerFactory(),
            tattooist=artist,
            slot=first_day + timedelta(days=i // 6, hours=i % 6),
            ends_at=first_day + timedelta(days=i // 6, hours=i % 6 + 1),
            status=BookingStatus.CONFIRMED,
        )
        for i in range(10)
    ]
    clients = [client_for(b.customer) for b in bookings]

    results = hammer(
        lambda i: (
            clients[i]
            .post(f"/api/bookings/{bookings[i].pk}/reschedule", {"slot": target.isoformat()}, format="json")
            .status_code
        ),
        n=10,
    )

    assert Counter(results) == {200: 1, 409: 9}, results
    assert Booking.objects.filter(tattooist=artist, slot=target).count() == 1


def test_an_unpaid_hold_moved_to_a_full_day_counts_against_its_cap(frozen, open_artist, settings):
    settings.BOOKING_MAX_UNPAID_HOLDS_PER_ARTIST_DAY = 1
    wednesday, friday = book(CustomerFactory(), open_artist), book(CustomerFactory(), open_artist, FRI_NOON)
    response = move(wednesday.customer, wednesday, FRI_NOON + timedelta(hours=2))
    assert response.status_code == 409
    assert response.json()["code"] == "artist_day_held"
    # the same day is fine (the hold does not count itself), and so is a paid booking anywhere
    assert move(wednesday.customer, wednesday, WED_NOON + timedelta(hours=2)).status_code == 200
    Booking.objects.filter(pk=friday.pk).update(status=BookingStatus.CONFIRMED, payment_status="paid")
    assert move(friday.customer, Booking.objects.get(pk=friday.pk), WED_NOON + timedelta(hours=4)).status_code == 200


def test_the_move_counter_has_a_database_default_for_writers_that_leave_it_out(open_artist, customer):
    """Old app servers still running during the migration, and raw inserts, do not name the column."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bookings (customer_id, tattooist_id, slot, ends_at, status, deposit_amount, payment_status,"
            " notes, created_at, updated_at) VALUES (%s, %s, %s, %s, 'confirmed', 50000, 'paid', '', now(), now())"
            " RETURNING customer_reschedules",
            [customer.pk, open_artist.pk, WED_NOON, WED_NOON + timedelta(hours=2)],
        )
        assert cursor.fetchone()[0] == 0
