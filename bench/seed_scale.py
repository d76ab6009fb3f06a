"""The data a marketplace reaches, written set-wise in SQL: minutes, not hours.

    python scripts/devenv.py --test -- python -m bench.seed_scale [--factor 1.0] [--db inkbook_scale]

At factor 1.0: 2,000 approved artists (weekly hours, a week of time off each), 100,000 portfolio
items (50 per artist, 1-2 style tags), 50,000 customers, 500,000 bookings over two years (250
per artist, one every ~3 days from 600 days ago to ~127 days ahead: completed, cancelled and
confirmed, so the active ones never overlap), then ANALYZE. Every count scales with --factor (the
small seed of bench/README.md is --factor 0.05). The database is dropped and recreated.

Customers `customer<N>@scale.test` share the password BENCH_PASSWORD (a real bcrypt hash, so a
sign-in costs what it costs in production); the Locust scenario (bench/locustfile.py) signs in
as them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.common import ROOT, VENV_BIN, admin_url, app_env, say

STYLES = ["koi", "blackwork", "traditional", "realism", "watercolor", "geometric", "tribal", "script", "dotwork", "neo"]
BENCH_PASSWORD = "inkbook-bench-pass"  # noqa: S105 - a throwaway benchmark account password
FULL = {"artists": 2_000, "items_each": 50, "customers": 50_000, "bookings_each": 250}
DAYS = 730  # bookings are spread over two years


def sizes(factor: float) -> dict[str, int]:
    return {
        "artists": max(2, round(FULL["artists"] * factor)),
        "items_each": FULL["items_each"],
        "customers": max(10, round(FULL["customers"] * factor)),
        "bookings_each": FULL["bookings_each"],
    }


def seed_sql(*, artists: int, items_each: int, customers: int, bookings_each: int, password_hash: str) -> str:
    if "'" in password_hash:
        raise ValueError("unexpected quote in a password hash")
    styles = ", ".join(f"'{s}'" for s in STYLES)
    # Booking g of an artist starts on day -600 + floor(g * DAYS / bookings_each): at most one per
    # artist and day (11:00-13:00 UTC), so no two active ones overlap (bookings_no_overlap).
    return f"""
INSERT INTO users (name, email, password_hash, role, is_active, created_at, calendar_token)
SELECT 'Artist ' || lpad(g::text, 4, '0'), 'artist' || g || '@scale.test', '!', 'tattooist', true,
       now() - (g % 700) * interval '1 day', md5(random()::text)
FROM generate_series(1, {artists}) g;

INSERT INTO users (name, email, password_hash, role, is_active, created_at, calendar_token,
                   email_verified_at)
SELECT 'Customer ' || g, 'customer' || g || '@scale.test', '{password_hash}', 'customer', true,
       now() - (g % 700) * interval '1 day', md5(random()::text), now() - (g % 700) * interval '1 day'
FROM generate_series(1, {customers}) g;

INSERT INTO tattooists (bio, approved, approved_at, approval_note, timezone, session_minutes, min_deposit,
                        created_at, updated_at, user_id)
SELECT 'Custom work in ' || (ARRAY[{styles}])[1 + u.id % 10] || ', walk-ins welcome. Artist ' || u.id || '.',
       true, now(), '', (ARRAY['Asia/Ulaanbaatar', 'Europe/Berlin', 'America/New_York'])[1 + u.id % 3], 120,
       50000, now(), now(), u.id
FROM users u WHERE u.role = 'tattooist';

INSERT INTO portfolios (image_url, image_key, description, style_tags, created_at, updated_at, tattooist_id)
SELECT 'https://cdn.scale.test/uploads/' || t.user_id || '/' || md5(t.id || '-' || g) || '.png',
       'uploads/' || t.user_id || '/' || md5(t.id || '-' || g) || '.png',
       'Piece ' || g || ': healed photo, about ' || (5 + g % 20) || ' cm.',
       CASE WHEN g % 4 = 0
            THEN ARRAY[(ARRAY[{styles}])[1 + (t.id + g) % 10], (ARRAY[{styles}])[1 + (t.id + g + 3) % 10]]
            ELSE ARRAY[(ARRAY[{styles}])[1 + (t.id + g) % 3 + t.id % 8]] END,
       now() - g * interval '7 days', now() - g * interval '7 days', t.id
FROM tattooists t, generate_series(1, {items_each}) g;

INSERT INTO availability (day, start_time, end_time, tattooist_id)
SELECT d, '10:00', '18:00', t.id FROM tattooists t, generate_series(1, 5) d;
INSERT INTO availability (day, start_time, end_time, tattooist_id)
SELECT 6, '12:00', '16:00', t.id FROM tattooists t WHERE t.id % 2 = 0;

INSERT INTO time_off (starts_at, ends_at, reason, created_at, tattooist_id)
SELECT date_trunc('day', now()) + (40 + t.id % 60) * interval '1 day',
       date_trunc('day', now()) + (47 + t.id % 60) * interval '1 day', 'convention', now(), t.id
FROM tattooists t;

INSERT INTO bookings (slot, ends_at, status, deposit_amount, payment_status, notes, hold_expires_at,
                      created_at, updated_at, customer_id, tattooist_id)
SELECT s.day + interval '11 hours', s.day + interval '13 hours',
       CASE WHEN s.day < now() THEN (CASE WHEN s.g % 9 = 0 THEN 'cancelled' ELSE 'completed' END)
            WHEN s.g % 3 = 0 THEN 'cancelled' ELSE 'confirmed' END,
       50000,
       CASE WHEN s.g % 9 = 0 AND s.day < now() THEN 'refunded' WHEN s.g % 3 = 0 AND s.day >= now() THEN 'refunded'
            ELSE 'paid' END,
       '', NULL, s.day - interval '20 days', s.day - interval '20 days',
       c.first + (s.tid * 7919 + s.g * 31) % {customers}, s.tid
FROM (SELECT t.id AS tid, g,
             date_trunc('day', now()) + (-600 + (g * {DAYS}) / {bookings_each}) * interval '1 day' AS day
        FROM tattooists t, generate_series(0, {bookings_each - 1}) g) s,
     (SELECT min(id) AS first FROM users WHERE role = 'customer') c;

-- What the app's writes would have done (tattoo/core/http_cache.py): the catalog has a version.
INSERT INTO cache_versions (key, version) VALUES ('catalog', (random() * 1e12)::bigint)
ON CONFLICT (key) DO UPDATE SET version = cache_versions.version + 1;
"""


def db_url(name: str) -> str:
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


def password_hash(url: str) -> str:
    """Django's own hash of BENCH_PASSWORD (the production hasher, bcrypt), made in a subprocess."""
    code = f"from django.contrib.auth.hashers import make_password; print(make_password({BENCH_PASSWORD!r}))"
    out = subprocess.run(
        [str(VENV_BIN / "python"), "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=app_env(
            url, DJANGO_SETTINGS_MODULE="tattoo.settings", LOCAL_MEMORY_CACHE="true", FAST_PASSWORD_HASHER="false"
        ),
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def build(name: str, factor: float) -> dict[str, int]:
    """Drop and recreate database `name`, migrate it and seed it; returns the row counts."""
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = db_url(name)
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=app_env(url, LOCAL_MEMORY_CACHE="true"),
        check=True,
    )
    sql = seed_sql(**sizes(factor), password_hash=password_hash(url))
    with psycopg.connect(url) as conn:
        conn.execute(sql)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            for table in ("tattooists", "portfolios", "users", "bookings", "availability", "time_off")
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--db", default="inkbook_scale")
    args = parser.parse_args(argv)
    if "DATABASE_URL" not in os.environ:
        sys.exit("DATABASE_URL is not set: run through scripts/devenv.py")
    t0 = time.monotonic()
    counts = build(args.db, args.factor)
    say(f"seeded {args.db} (factor {args.factor}) in {time.monotonic() - t0:.1f} s: {counts}")


if __name__ == "__main__":
    main()
