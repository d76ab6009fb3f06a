"""A realistic read data set, written with set-based SQL so seeding takes seconds.

200 approved artists (3 styles each, 40 portfolio items each), 500 customers, weekly hours
(Mon-Fri 10:00-18:00 local, half of them also Saturday 12:00-16:00), a week of time off each,
and 20,000 bookings (100 per artist, over the artist's working days from 80 days ago to 79 days
ahead: completed, confirmed and cancelled; bench/seed_bookings.py).
"""

from __future__ import annotations

import psycopg

from bench.seed_bookings import bookings_sql

STYLES = ["koi", "blackwork", "traditional", "realism", "watercolor", "geometric", "tribal", "script", "dotwork", "neo"]
ARTISTS, CUSTOMERS, ITEMS, BOOKINGS_EACH = 200, 500, 40, 100

SQL = f"""
INSERT INTO users (name, email, password_hash, role, is_active, created_at, calendar_token)
SELECT 'Artist ' || lpad(g::text, 3, '0'), 'artist' || g || '@bench.test', '!', 'tattooist', true, now(),
       md5(random()::text)
FROM generate_series(1, {ARTISTS}) g;

INSERT INTO users (name, email, password_hash, role, is_active, created_at, calendar_token, email_verified_at)
SELECT 'Customer ' || g, 'customer' || g || '@bench.test', '!', 'customer', true, now(), md5(random()::text), now()
FROM generate_series(1, {CUSTOMERS}) g;

INSERT INTO tattooists (bio, approved, approved_at, approval_note, timezone, session_minutes, min_deposit,
                        created_at, updated_at, user_id)
SELECT 'Custom work, walk-ins welcome. Artist number ' || u.id || '.', true, now(), '',
       (ARRAY['Asia/Ulaanbaatar', 'Europe/Berlin', 'America/New_York'])[1 + u.id % 3], 120, 50000, now(), now(), u.id
FROM users u WHERE u.role = 'tattooist';

INSERT INTO portfolios (image_url, image_key, description, style_tags, created_at, updated_at, tattooist_id)
SELECT 'https://cdn.bench.test/uploads/' || t.user_id || '/' || md5(t.id || '-' || g) || '.png',
       'uploads/' || t.user_id || '/' || md5(t.id || '-' || g) || '.png',
       'Piece ' || g || ': healed photo, about ' || (5 + g % 20) || ' cm.',
       ARRAY[(ARRAY[{", ".join(repr(x) for x in STYLES)}])[1 + (t.id + g) % 3 + t.id % 8]],
       now() - g * interval '1 day', now() - g * interval '1 day', t.id
FROM tattooists t, generate_series(1, {ITEMS}) g;

INSERT INTO availability (day, start_time, end_time, tattooist_id)
SELECT d, '10:00', '18:00', t.id FROM tattooists t, generate_series(1, 5) d;
INSERT INTO availability (day, start_time, end_time, tattooist_id)
SELECT 6, '12:00', '16:00', t.id FROM tattooists t WHERE t.id % 2 = 0;

INSERT INTO time_off (starts_at, ends_at, reason, created_at, tattooist_id)
SELECT date_trunc('day', now()) + (10 + t.id % 10) * interval '1 day',
       date_trunc('day', now()) + (17 + t.id % 10) * interval '1 day', 'convention', now(), t.id
FROM tattooists t;

{bookings_sql(each=BOOKINGS_EACH, customers=CUSTOMERS, first_day=-80, last_day=79)}
SELECT inkbook_artist_search_refresh(NULL, true);
ANALYZE;
"""


def seed(db_url: str) -> dict[str, int]:
    with psycopg.connect(db_url) as conn:
        conn.execute(SQL)
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("tattooists", "portfolios", "availability", "bookings")
        }
