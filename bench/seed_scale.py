"""The data a marketplace reaches, written set-wise in SQL: minutes, not hours.

    python scripts/devenv.py --test -- python -m bench.seed_scale [--factor 1.0] [--db inkbook_scale]

At factor 1.0: 2,000 approved artists (80 % in Ulaanbaatar's zone, a tenth each in Europe/Berlin
and America/New_York, whose DST the slot rule must get right; weekly hours, a week of time off
each), 100,000 portfolio items (50 per artist, 1-2 style tags), 50,000 customers, 500,000
bookings over two years (250 per artist, spread over the artist's working days from 641 days ago to
88 days ahead, at the opening of the day's hours on the artist's clock: completed, cancelled and
confirmed; bench/seed_bookings.py says which values the services would have written and what the
bulk path leaves out), then ANALYZE. Every count
scales with --factor (the small seed of bench/README.md is --factor 0.05). The database is dropped
and recreated.

Artists have the profile of docs/search.md with the spread a Mongolian marketplace would have:
Mongolian names in Cyrillic (60 %) or Latin letters, studios for 70 %, Ulaanbaatar's districts
weighted by population (other Mongolian cities for a tenth, the city of their zone for artists
abroad), prices from 30,000 to 400,000 MNT (cheap pieces most common; 8 % not said), an hourly
rate for 40 %, Mongolian for nearly all and English, Russian, Korean, Chinese or Japanese for some,
booking modes 55 % both, 30 % direct, 15 % request, and ratings for 70 % (what reviews will keep:
1-120 reviews averaging 3.4-5.0). Weekly hours come in five patterns. The search entries are
derived at the end, as the app's writes would have.

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
from bench.seed_bookings import bookings_sql

STYLES = ["koi", "blackwork", "traditional", "realism", "watercolor", "geometric", "tribal", "script", "dotwork", "neo"]
# Given names and family names, each in Cyrillic and in a common Latin spelling (docs/search.md).
GIVEN = [
    ("Сараа", "Saraa"),
    ("Батбаяр", "Batbayar"),
    ("Өлзий", "Ulzii"),
    ("Хулан", "Khulan"),
    ("Энхтуяа", "Enkhtuya"),
    ("Тэмүүлэн", "Temuulen"),
    ("Мөнхзул", "Munkhzul"),
    ("Бат-Эрдэнэ", "Bat-Erdene"),
    ("Цэцэгмаа", "Tsetsegmaa"),
    ("Ануужин", "Anujin"),
    ("Тэмүүжин", "Temuujin"),
    ("Номин", "Nomin"),
    ("Ганбаатар", "Ganbaatar"),
    ("Оюунчимэг", "Oyunchimeg"),
    ("Батаа", "Bataa"),
    ("Золбоо", "Zolboo"),
    ("Уянга", "Uyanga"),
    ("Билгүүн", "Bilguun"),
    ("Наран", "Naran"),
    ("Жаргал", "Jargal"),
    ("Мөнх-Очир", "Munkh-Ochir"),
    ("Сүхбат", "Sukhbat"),
    ("Ариунаа", "Ariunaa"),
    ("Дөлгөөн", "Dulguun"),
    ("Ичинноров", "Ichinnorov"),
    ("Хонгор", "Khongor"),
    ("Солонго", "Solongo"),
    ("Төгс", "Tugs"),
]
FAMILY = [
    ("Болд", "Bold"),
    ("Ганзориг", "Ganzorig"),
    ("Дорж", "Dorj"),
    ("Энхболд", "Enkhbold"),
    ("Баатар", "Baatar"),
    ("Ганбат", "Ganbat"),
    ("Сүх", "Sukh"),
    ("Цогт", "Tsogt"),
    ("Ганхуяг", "Gankhuyag"),
    ("Батсайхан", "Batsaikhan"),
    ("Оюун", "Oyun"),
    ("Эрдэнэ", "Erdene"),
    ("Пүрэв", "Purev"),
    ("Лхагва", "Lkhagva"),
    ("Чулуун", "Chuluun"),
]
STUDIOS = [
    "Хар Чоно", "Black Orchid", "Ulzii Ink", "Grey Room", "Өнгө", "Dot & Line", "Irezumi UB", "Хээ Угалз", "Blackout",
    "Neo Tengri", "Mönkh Ink", "Steppe Needle", "Тэнгэр", "Blue Wolf", "Ink Ger", "Алтан Зүү", "Nomad Ink", "Sky Ink",
]  # fmt: skip
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

    def array(values) -> str:
        return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"

    given_cyr, given_lat = array(g[0] for g in GIVEN), array(g[1] for g in GIVEN)
    family_cyr, family_lat = array(f[0] for f in FAMILY), array(f[1] for f in FAMILY)
    studios = array(STUDIOS)
    return f"""
INSERT INTO users (name, email, password_hash, role, is_active, created_at, calendar_token)
SELECT CASE WHEN g % 5 < 3
            THEN ({given_cyr})[1 + g % {len(GIVEN)}] || ' ' || ({family_cyr})[1 + (g * 7) % {len(FAMILY)}]
            ELSE ({given_lat})[1 + g % {len(GIVEN)}] || ' ' || ({family_lat})[1 + (g * 7) % {len(FAMILY)}] END,
       'artist' || g || '@scale.test', '!', 'tattooist', true, now() - (g % 700) * interval '1 day', md5(random()::text)
FROM generate_series(1, {artists}) g;

INSERT INTO users (name, email, password_hash, role, is_active, created_at, calendar_token,
                   email_verified_at)
SELECT 'Customer ' || g, 'customer' || g || '@scale.test', '{password_hash}', 'customer', true,
       now() - (g % 700) * interval '1 day', md5(random()::text), now() - (g % 700) * interval '1 day'
FROM generate_series(1, {customers}) g;

INSERT INTO tattooists (bio, approved, approved_at, approval_note, timezone, session_minutes, min_deposit,
                        created_at, updated_at, user_id)
SELECT CASE WHEN u.id % 5 < 3
            THEN 'Захиалгат шивээс, ' || (ARRAY[{styles}])[1 + u.id % 10] || '. Эхлээд санаагаа ярилцъя.'
            ELSE 'Custom work in ' || (ARRAY[{styles}])[1 + u.id % 10] || ', walk-ins welcome.' END
       || ' Artist ' || u.id || '.',
       true, now(), '', CASE u.id % 10 WHEN 0 THEN 'Europe/Berlin' WHEN 1 THEN 'America/New_York'
                          ELSE 'Asia/Ulaanbaatar' END, 120,
       50000, now(), now(), u.id
FROM users u WHERE u.role = 'tattooist';

-- Images as the pipeline leaves them (tattoo/core/images.py): re-encoded, 1600 x 1200, with their three
-- variants recorded, so the images sweep finds no backlog to work through during `make load`.
INSERT INTO portfolios (image_url, image_key, image_width, image_height, image_variants, description, style_tags,
                        created_at, updated_at, tattooist_id)
SELECT 'https://cdn.scale.test/uploads/' || t.user_id || '/' || md5(t.id || '-' || g) || '.png',
       'uploads/' || t.user_id || '/' || md5(t.id || '-' || g) || '.png',
       1600, 1200, ARRAY[320, 640, 1280],
       'Piece ' || g || ': healed photo, about ' || (5 + g % 20) || ' cm.',
       CASE WHEN g % 4 = 0
            THEN ARRAY[(ARRAY[{styles}])[1 + (t.id + g) % 10], (ARRAY[{styles}])[1 + (t.id + g + 3) % 10]]
            ELSE ARRAY[(ARRAY[{styles}])[1 + (t.id + g) % 3 + t.id % 8]] END,
       now() - g * interval '7 days', now() - g * interval '7 days', t.id
FROM tattooists t, generate_series(1, {items_each}) g;

-- The public profile (docs/search.md), spread as described in the module docstring. h is a fixed
-- pseudo-random number per artist, so each field varies independently of the others.
UPDATE tattooists t SET
  city = CASE WHEN t.timezone = 'Europe/Berlin' THEN 'Berlin' WHEN t.timezone = 'America/New_York' THEN 'New York'
              WHEN h.v % 10 = 0 THEN (ARRAY['Дархан', 'Эрдэнэт', 'Чойр', 'Ховд', 'Мөрөн'])[1 + h.v / 10 % 5]
              ELSE 'Улаанбаатар' END,
  district = CASE WHEN t.timezone <> 'Asia/Ulaanbaatar' OR h.v % 10 = 0 THEN ''
                  ELSE (ARRAY['bayanzurkh', 'bayanzurkh', 'bayanzurkh', 'songinokhairkhan', 'songinokhairkhan',
                              'songinokhairkhan', 'bayangol', 'bayangol', 'khan_uul', 'khan_uul', 'sukhbaatar',
                              'sukhbaatar', 'chingeltei', 'chingeltei', 'nalaikh', 'baganuur', 'bagakhangai'])
                       [1 + h.v / 7 % 17]
                  END,
  studio_name = CASE WHEN h.v % 10 < 7 THEN ({studios})[1 + h.v / 3 % {len(STUDIOS)}] || ' ' ||
                     (ARRAY['Tattoo', 'Studio', 'Шивээс', 'Студи', ''])[1 + h.v % 5] ELSE '' END,
  address = (ARRAY['Энхтайваны өргөн чөлөө', 'Seoul street', 'Их тойруу', 'Narnii zam', 'Бага тойруу', 'Tokyo street'])
            [1 + h.v / 11 % 6] || ' ' || (1 + h.v % 90),
  price_from = CASE WHEN h.v % 25 < 2 THEN NULL
                    ELSE (ARRAY[30000, 40000, 40000, 50000, 50000, 50000, 60000, 60000, 70000, 80000, 80000, 100000,
                                100000, 120000, 150000, 150000, 200000, 250000, 300000, 400000])[1 + h.v / 13 % 20] END,
  hourly_rate = CASE WHEN h.v % 5 < 2 THEN 60000 + (h.v / 17 % 15) * 10000 ELSE NULL END,
  languages = ARRAY(SELECT l FROM unnest(ARRAY[
                CASE WHEN h.v % 20 <> 0 OR t.timezone = 'Asia/Ulaanbaatar' THEN 'mn' END,
                CASE WHEN h.v % 20 < 9 OR t.timezone <> 'Asia/Ulaanbaatar' THEN 'en' END,
                CASE WHEN h.v % 7 = 0 THEN 'ru' END, CASE WHEN h.v % 20 = 3 THEN 'zh' END,
                CASE WHEN h.v % 13 = 1 THEN 'ko' END, CASE WHEN h.v % 37 = 2 THEN 'ja' END]) AS l WHERE l IS NOT NULL),
  instagram = CASE WHEN h.v % 5 = 4 THEN '' ELSE 'ink_' || t.id END,
  booking_mode = (ARRAY['both', 'both', 'both', 'both', 'both', 'both', 'both', 'both', 'both', 'both', 'both',
                        'direct', 'direct', 'direct', 'direct', 'direct', 'direct', 'request', 'request', 'request'])
                 [1 + h.v / 19 % 20],
  heal_days = (ARRAY[21, 21, 21, 14, 28])[1 + h.v / 23 % 5],
  -- 1 to 120 reviews averaging 3.4 to 5.0 (reviews will keep these two, a later issue); the sum of
  -- whole stars rounded up, so a single review's average stays within the range (round() gave 3.0)
  rating_count = CASE WHEN h.v % 10 < 7 THEN 1 + h.v / 29 % 120 ELSE 0 END,
  rating_sum = CASE WHEN h.v % 10 < 7 THEN ceil((1 + h.v / 29 % 120) * (3.4 + h.v / 31 % 17 / 10.0)) ELSE 0 END
FROM (SELECT id, abs(hashtext(id::text)) AS v FROM tattooists) h
WHERE h.id = t.id;

-- Weekly hours in five patterns.
INSERT INTO availability (day, start_time, end_time, tattooist_id)
SELECT d, p.start_time, p.end_time, t.id
FROM tattooists t
JOIN (VALUES (0, 1, '10:00'::time, '18:00'::time), (0, 2, '10:00', '18:00'), (0, 3, '10:00', '18:00'),
             (0, 4, '10:00', '18:00'), (0, 5, '10:00', '18:00'), (0, 6, '12:00', '16:00'),
             (1, 2, '12:00', '20:00'), (1, 3, '12:00', '20:00'), (1, 4, '12:00', '20:00'), (1, 5, '12:00', '20:00'),
             (1, 6, '12:00', '20:00'),
             (2, 0, '11:00', '17:00'), (2, 6, '11:00', '17:00'), (2, 3, '17:00', '21:00'),
             (3, 1, '09:00', '15:00'), (3, 2, '09:00', '15:00'), (3, 3, '09:00', '15:00'), (3, 4, '09:00', '15:00'),
             (4, 0, '13:00', '21:00'), (4, 1, '13:00', '21:00'), (4, 2, '13:00', '21:00'), (4, 3, '13:00', '21:00'),
             (4, 4, '13:00', '21:00'), (4, 5, '13:00', '21:00'), (4, 6, '13:00', '21:00')
     ) AS p (pattern, d, start_time, end_time) ON p.pattern = t.id % 5;

INSERT INTO time_off (starts_at, ends_at, reason, created_at, tattooist_id)
SELECT date_trunc('day', now()) + (40 + t.id % 60) * interval '1 day',
       date_trunc('day', now()) + (47 + t.id % 60) * interval '1 day', 'convention', now(), t.id
FROM tattooists t;

{bookings_sql(each=bookings_each, customers=customers, first_day=-(DAYS - 89), last_day=88)}
-- What the app's writes would have done: the search entries (search/migrations) ...
SELECT inkbook_artist_search_refresh(NULL, true);
-- ... and the catalog's version (tattoo/core/http_cache.py).
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
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
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
