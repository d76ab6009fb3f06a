"""bench/seed_scale.py's SQL on a tiny scale factor, in the test database: the shapes the load
scenario relies on (approved artists with hours, portfolio items, bookings that never overlap,
customers who can sign in)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection

from bench.seed_scale import BENCH_PASSWORD, seed_sql, sizes

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


def test_the_scale_seed_fills_the_profiles_and_the_search():
    n = sizes(0.05)  # 100 artists
    with connection.cursor() as cursor:
        cursor.execute(seed_sql(**n, password_hash="!"))
        cursor.execute(
            """SELECT count(DISTINCT district), count(*) FILTER (WHERE studio_name <> ''),
                      count(*) FILTER (WHERE price_from IS NULL), min(price_from), max(price_from),
                      count(DISTINCT booking_mode), count(*) FILTER (WHERE 'en' = ANY(languages)),
                      count(*) FILTER (WHERE rating_count > 0), min(rating_average), max(rating_average)
                 FROM tattooists"""
        )
        districts, studios, unpriced, cheapest, dearest, modes, english, rated, worst, best = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM artist_search")
        entries = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM users WHERE role = 'tattooist' AND name ~ '[А-Яа-яӨөҮү]'")
        cyrillic = cursor.fetchone()[0]

    assert districts >= 8  # and '' for the artists outside Ulaanbaatar
    assert 50 <= studios <= 90
    assert 1 <= unpriced <= 20
    assert (cheapest, dearest) == (30000, 400000)
    assert modes == 3
    assert 30 <= english <= 70
    assert 50 <= rated <= 90
    assert 3.4 <= worst < best <= 5.0
    assert entries == n["artists"]  # every artist can be found by name
    assert 40 <= cyrillic <= 80


def test_a_password_hash_with_a_quote_is_refused():
    with pytest.raises(ValueError, match="quote"):
        seed_sql(**sizes(0.001), password_hash="x'; DROP TABLE users; --")
