"""Real threads against PostgreSQL (transaction=True): one slot, one booking; one move, one winner."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.services.expiry import booking_expire_holds
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import open_every_day
from testing.clients import client_for
from testing.races import hammer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

# Three days ahead at 12:00 in Ulaanbaatar: inside the 10:00-18:00 window, past the notice.
SLOT = (timezone.now() + timedelta(days=3)).astimezone(UTC).replace(hour=4, minute=0, second=0, microsecond=0)


def post_booking(client, artist, slot: datetime):
    response = client.post(
        "/api/bookings", {"tattooistId": artist.pk, "slot": slot.isoformat(), "depositAmount": "50000"}, format="json"
    )
    return response.status_code, response.json().get("code")


def test_twenty_customers_racing_for_one_slot_get_one_201_and_nineteen_409():
    artist = TattooistFactory()
    open_every_day(artist)
    clients = [client_for(CustomerFactory()) for _ in range(20)]

    for _round in range(2):  # a second round on a fresh slot: more chances to catch a race
        slot = SLOT + timedelta(days=_round)
        results = hammer(lambda i, slot=slot: post_booking(clients[i], artist, slot))

        assert Counter(code for code, _ in results) == {201: 1, 409: 19}, results
        assert {err for code, err in results if code == 409} == {"slot_taken"}
        assert Booking.objects.filter(tattooist=artist, slot=slot).count() == 1


def test_twenty_partial_overlaps_racing_still_leave_one_booking():
    artist = TattooistFactory()
    open_every_day(artist, start=datetime.min.time().replace(hour=8))
    clients = [client_for(CustomerFactory()) for _ in range(20)]

    # starts 5 minutes apart: every pair overlaps (sessions are 120 minutes)
    results = hammer(lambda i: post_booking(clients[i], artist, SLOT - timedelta(hours=2) + timedelta(minutes=5 * i)))

    assert Counter(code for code, _ in results) == {201: 1, 409: 19}, results
    assert Booking.objects.filter(tattooist=artist).count() == 1


def test_twenty_customers_booking_twenty_artists_all_succeed():
    artists = [TattooistFactory() for _ in range(20)]
    for artist in artists:
        open_every_day(artist)
    clients = [client_for(CustomerFactory()) for _ in range(20)]

    results = hammer(lambda i: post_booking(clients[i], artists[i], SLOT))

    assert Counter(code for code, _ in results) == {201: 20}, results
    assert Booking.objects.count() == 20


def test_one_customer_racing_for_many_artists_keeps_the_hold_limit():
    artists = [TattooistFactory() for _ in range(10)]
    for artist in artists:
        open_every_day(artist)
    client = client_for(CustomerFactory())

    results = hammer(lambda i: post_booking(client, artists[i], SLOT), n=10)

    assert Counter(code for code, _ in results) == {201: 2, 409: 8}, results
    assert Booking.objects.count() == 2


def test_customers_racing_for_one_artists_day_keep_the_day_cap(settings):
    settings.BOOKING_MAX_UNPAID_HOLDS_PER_ARTIST_DAY = 3
    artist = TattooistFactory(session_minutes=30)
    open_every_day(artist)
    clients = [client_for(CustomerFactory()) for _ in range(10)]

    results = hammer(lambda i: post_booking(clients[i], artist, SLOT + timedelta(minutes=30 * i)), n=10)

    assert Counter(code for code, _ in results) == {201: 3, 409: 7}, results
    assert Booking.objects.count() == 3


def test_expiry_racing_a_confirm_has_one_winner_and_one_audit_row():
    for _round in range(5):
        booking = BookingFactory(hold_expires_at=timezone.now() - timedelta(seconds=1))
        client = client_for(booking.tattooist.user)

        def act(i, booking=booking, client=client):
            if i == 0:
                return client.patch(f"/api/bookings/{booking.pk}", {"status": "confirmed"}, format="json").status_code
            return booking_expire_holds().expired

        results = hammer(act, n=2)

        final = Booking.objects.get(pk=booking.pk).status
        events = list(BookingEvent.objects.filter(booking=booking))
        assert len(events) == 1, results
        assert events[0].to_status == final
        confirm_code = next(r for r in results if r in (200, 409))
        if final == BookingStatus.CONFIRMED:
            assert confirm_code == 200
            assert 0 in results  # the job skipped it
        else:
            assert final == BookingStatus.EXPIRED
            assert confirm_code == 409
            assert 1 in results


def test_several_expiry_runs_at_once_expire_each_hold_exactly_once():
    bookings = [BookingFactory(hold_expires_at=timezone.now() - timedelta(seconds=1)) for _ in range(12)]

    results = hammer(lambda i: booking_expire_holds().expired, n=4)

    assert sum(results) == 12, results
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.EXPIRED}
    assert BookingEvent.objects.count() == len(bookings)


def test_customer_cancel_and_artist_confirm_racing_leave_one_consistent_story():
    for _round in range(5):
        booking = BookingFactory()
        parties = [client_for(booking.customer), client_for(booking.tattooist.user)]
        wanted = ["cancelled", "confirmed"]

        results = hammer(
            lambda i, b=booking, parties=parties, wanted=wanted: (
                parties[i].patch(f"/api/bookings/{b.pk}", {"status": wanted[i]}, format="json").status_code
            ),
            n=2,
        )

        # Either order is legal (pending→cancelled, or pending→confirmed→cancelled); nothing is lost.
        events = list(BookingEvent.objects.filter(booking=booking).order_by("id"))
        final = Booking.objects.get(pk=booking.pk).status
        assert sorted(results) in ([200, 200], [200, 409])
        assert len(events) == results.count(200)
        assert events[-1].to_status == final
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status


def test_confirm_cancel_and_expiry_racing_on_one_hold_leave_a_consistent_audited_story():
    for _round in range(15):
        booking = BookingFactory(hold_expires_at=timezone.now() - timedelta(seconds=1))
        artist, customer = client_for(booking.tattooist.user), client_for(booking.customer)

        def act(i, b=booking, artist=artist, customer=customer):
            if i == 0:
                return (
                    "confirm",
                    artist.patch(f"/api/bookings/{b.pk}", {"status": "confirmed"}, format="json").status_code,
                )
            if i == 1:
                return (
                    "cancel",
                    customer.patch(f"/api/bookings/{b.pk}", {"status": "cancelled"}, format="json").status_code,
                )
            return ("expire", booking_expire_holds().expired)

        results = dict(hammer(act, n=3))

        events = list(BookingEvent.objects.filter(booking=booking).order_by("id"))
        final = Booking.objects.get(pk=booking.pk).status
        applied = (results["confirm"] == 200) + (results["cancel"] == 200) + results["expire"]
        assert len(events) == applied >= 1, results
        assert events[0].from_status == BookingStatus.PENDING
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status
        assert events[-1].to_status == final
        assert set(results.values()) <= {200, 409, 0, 1}
        if results["expire"]:
            assert final == BookingStatus.EXPIRED
            assert (results["confirm"], results["cancel"]) == (409, 409)


def test_fifty_customers_racing_for_one_slot_get_one_201_and_forty_nine_409():
    artist = TattooistFactory()
    open_every_day(artist)
    clients = [client_for(CustomerFactory()) for _ in range(50)]

    results = hammer(lambda i: post_booking(clients[i], artist, SLOT), n=50)

    assert Counter(code for code, _ in results) == {201: 1, 409: 49}, results
    assert {err for code, err in results if code == 409} == {"slot_taken"}
    assert Booking.objects.filter(tattooist=artist).count() == 1


def _deadlocks() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_creates_and_reschedules_racing_over_the_same_people_never_deadlock():
    # Both lock the customer's row, then the artist's (bookings/rules.py lock_parties), then a move
    # locks its booking: the same order everywhere, so no two of them wait on each other in a cycle.
    # Each customer moves their booking with artist A while booking artist B, and the other half
    # does the same the other way round, all onto the same few slots.
    from django.db import connection

    artists = [TattooistFactory(), TattooistFactory()]
    for artist in artists:
        open_every_day(artist)
    customers = [CustomerFactory() for _ in range(10)]
    held = [
        BookingFactory(
            customer=customers[i],
            tattooist=artists[i % 2],
            slot=SLOT + timedelta(days=1, hours=i // 2 * 2 - 2),
            ends_at=SLOT + timedelta(days=1, hours=i // 2 * 2),
            status=BookingStatus.CONFIRMED,
        )
        for i in range(10)
    ]
    clients = [client_for(c) for c in customers]
    targets = [SLOT + timedelta(hours=2 * k) for k in range(2)]
    before = _deadlocks()

    def act(i: int):
        client, n = clients[i // 2], i // 2
        target = targets[i % 2]
        if i % 2:  # move the booking with one artist ...
            url = f"/api/bookings/{held[n].pk}/reschedule"
            response = client.post(url, {"slot": target.isoformat()}, format="json")
        else:  # ... while booking the other one
            other = artists[(n + 1) % 2]
            response = client.post(
                "/api/bookings",
                {"tattooistId": other.pk, "slot": target.isoformat(), "depositAmount": "50000"},
                format="json",
            )
        return response.status_code, response.json().get("code")

    results = hammer(act, n=20)

    assert {code for code, _ in results} <= {200, 201, 409}, results
    assert {err for code, err in results if code == 409} <= {"slot_taken"}, results
    assert _deadlocks() == before, "PostgreSQL reported a deadlock"
    connection.close()
    for artist in artists:  # each target slot of each artist went to exactly one booking
        for target in targets:
            assert Booking.objects.filter(tattooist=artist, slot=target).count() == 1
