"""bench/seed_scale.py's SQL on a tiny scale factor, in the test database: the shapes the load
scenario relies on (approved artists with hours, portfolio items, bookings that never overlap,
customers who can sign in), and bookings the services could have written (bench/seed_bookings.py):
each one the slot rule accepts at the moment it was made."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection

from bench.seed_bookings import HOLD_MINUTES
from bench.seed_scale import BENCH_PASSWORD, seed_sql, sizes
from bookings import rules
from bookings.models import Booking, BookingStatus, PaymentStatus
from bookings.selectors import booking_bounds
from bookings.transitions import can_move
from tattoo.core.images import images_needing_work, kind_named

pytestmark = pytest.mark.django_db


def test_a_tiny_scale_seed_has_the_promised_shape():
    n = sizes(0.002)  # 4 artists, 100 customers
    with connection.cursor() as cursor:
        cursor.execute(seed_sql(**n, password_hash=make_password(BENCH_PASSWORD)))
        counts = {}
        for table in ("tattooists", "portfolios", "bookings", "availability", "time_off"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            """SELECT count(*) FROM bookings a JOIN bookings b ON a.tattooist_id = b.tattooist_id AND a.id < b.id
                AND tstzrange(a.slot, a.ends_at) && tstzrange(b.slot, b.ends_at)"""
        )
        overlaps = cursor.fetchone()[0]
        cursor.execute("SELECT max(slot) - min(slot) FROM bookings")
        span = cursor.fetchone()[0]
        cursor.execute("SELECT password_hash FROM users WHERE role = 'customer' LIMIT 1")
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT bool_and(approved) FROM tattooists")
        all_approved = cursor.fetchone()[0]

    assert counts["tattooists"] == n["artists"] == 4
    assert counts["portfolios"] == 4 * n["items_each"]
    assert counts["bookings"] == 4 * n["bookings_each"]
    assert counts["time_off"] == 4
    assert counts["availability"] >= 4 * 3  # five patterns of weekly hours, three windows or more
    assert overlaps == 0
    assert span.days >= 700  # two years
    assert all_approved
    assert check_password(BENCH_PASSWORD, stored)
    # the images are as the pipeline leaves them: the sweep has nothing to do under `make load`
    assert images_needing_work(kind_named("portfolio")).count() == 0


def test_the_scale_seed_fills_the_profiles_and_the_search():
    n = sizes(0.05)  # 100 artists
    with connection.cursor() as cursor:
        cursor.execute(seed_sql(**n, password_hash="!"))
        cursor.execute(
            """SELECT count(DISTINCT district), count(*) FILTER (WHERE studio_name <> ''),
                      count(*) FILTER (WHERE price_from IS NULL), min(price_from), max(price_from),
                      count(DISTINCT price_from),
                      count(DISTINCT booking_mode), count(*) FILTER (WHERE 'en' = ANY(languages)),
                      count(*) FILTER (WHERE rating_count > 0), min(rating_average), max(rating_average)
                 FROM tattooists"""
        )
        districts, studios, unpriced, cheapest, dearest, prices, modes, english, rated, worst, best = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM artist_search")
        entries = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM users WHERE role = 'tattooist' AND name ~ '[А-Яа-яӨөҮү]'")
        cyrillic = cursor.fetchone()[0]

    assert districts >= 8  # and '' for the artists outside Ulaanbaatar
    assert 50 <= studios <= 90
    assert 1 <= unpriced <= 20
    # 13 price steps from 30,000 to 400,000, picked by a hash of the artist's id: which ids this
    # database hands out depends on the tests before (sequences survive rollbacks), so 100 artists
    # need not reach both ends (they missed 400,000 once, seed 1282946961)
    assert 30000 <= cheapest < dearest <= 400000
    assert prices >= 10
    assert modes == 3
    assert 30 <= english <= 70
    assert 50 <= rated <= 90
    assert 3.4 <= worst < best <= 5.0
    assert entries == n["artists"]  # every artist can be found by name
    assert 40 <= cyrillic <= 80


def test_a_password_hash_with_a_quote_is_refused():
    with pytest.raises(ValueError, match="quote"):
        seed_sql(**sizes(0.001), password_hash="x'; DROP TABLE users; --")


# the moves that make each seeded (status, payment status), from a new hold (bookings/transitions.py)
PATHS = {
    (BookingStatus.CONFIRMED, PaymentStatus.PAID): [BookingStatus.CONFIRMED],
    (BookingStatus.COMPLETED, PaymentStatus.PAID): [BookingStatus.CONFIRMED, BookingStatus.COMPLETED],
    (BookingStatus.CANCELLED, PaymentStatus.REFUNDED): [BookingStatus.CONFIRMED, BookingStatus.CANCELLED],
}


def test_every_seeded_booking_is_one_the_slot_rule_accepted_when_it_was_made():
    with connection.cursor() as cursor:
        # 10 artists (Berlin and New York among them), 60 bookings each over the two years
        cursor.execute(seed_sql(artists=10, items_each=1, customers=20, bookings_each=60, password_hash="!"))
    notice, horizon = booking_bounds()
    bookings = list(Booking.objects.select_related("tattooist__user").order_by("tattooist_id", "slot"))
    assert len(bookings) == 10 * 60
    assert {b.tattooist.timezone for b in bookings} >= {"Asia/Ulaanbaatar", "Europe/Berlin", "America/New_York"}
    assert HOLD_MINUTES == settings.BOOKING_HOLD_MINUTES
    for b in bookings:
        artist = b.tattooist
        made = b.created_at
        assert rules.slot_refusal(artist=artist, slot=b.slot, ends_at=b.ends_at, now=made, booking=b) is None, b.slot
        assert made + notice <= b.slot <= made + horizon
        assert b.ends_at == b.slot + timedelta(minutes=artist.session_minutes)
        assert b.deposit_amount == artist.min_deposit
        assert b.hold_expires_at == made + timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
        assert b.refundable_until == b.slot - timedelta(hours=artist.deposit_refundable_hours)
        path = [BookingStatus.PENDING, *PATHS[(b.status, b.payment_status)]]
        assert all(can_move(a, z) for a, z in itertools.pairwise(path))
        if b.status == BookingStatus.COMPLETED:
            assert b.slot <= b.updated_at  # completed once the session began
