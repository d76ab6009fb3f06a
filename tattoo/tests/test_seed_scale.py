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
    assert counts["availability"] >= 4 * 5
    assert overlaps == 0
    assert span.days >= 700  # two years
    assert all_approved
    assert check_password(BENCH_PASSWORD, stored)


def test_a_password_hash_with_a_quote_is_refused():
    with pytest.raises(ValueError, match="quote"):
        seed_sql(**sizes(0.001), password_hash="x'; DROP TABLE users; --")
