"""Finding an artist at scale: GET /api/tattooists in-process, uncached, on the scale seed.

    python scripts/devenv.py --test -- python -m bench.search [--reuse] [--factor 1.0] [--n 200]

Builds bench/seed_scale.py's data into its own database (inkbook_scale; --reuse keeps one that is
there), then calls the app's WSGI entry point (tattoo.wsgi:application: middleware, DRF, the
serializer, the renderer) in a loop on one thread with the rendered-answer cache off, so every
answer runs the view: the version lookup of the ETag, then the search. For each request type it
prints p50/p95/max in ms and the SQL statements of one request. Then it times the free-date filter
and the next free starts of a page both ways: the slot rule over schedules loaded for all artists
at once (bookings.selectors.schedules_load, what the list does) against the naive loop that asks
bookings.selectors.tattooist_slots artist by artist, checks they agree, and prints the ratio.
Then where the time of a 7-day availableFrom/To over all artists goes, part by part. Last, EXPLAIN
(ANALYZE, BUFFERS) of the SQL of "q + two filters + sort=soonest". The app's objects are frozen out
of the garbage collector's reach once loaded, as gunicorn.conf.py does in each worker
(--no-freeze: not). Targets
(issue 28): that request p95 <= 60 ms; a 7-day availableFrom/To p95 <= 100 ms. Figures, not
assertions: bench/README.md has the ones measured.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import psycopg

from bench.common import admin_url, app_env, header, say
from bench.seed_scale import FAMILY, GIVEN, build, db_url

DISTRICTS = ["bayangol", "bayanzurkh", "chingeltei", "khan_uul", "songinokhairkhan", "sukhbaatar"]


def has_data(name: str) -> bool:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            return False
    with psycopg.connect(db_url(name)) as conn:
        try:
            return conn.execute("SELECT count(*) FROM artist_search").fetchone()[0] > 0
        except psycopg.Error:
            return False


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="inkbook_scale")
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--reuse", action="store_true", help="keep the database when it holds a seed")
    parser.add_argument("--n", type=int, default=200, help="requests per request type")
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave the app's objects to the garbage collector (gunicorn.conf.py freezes them in each worker)",
    )
    args = parser.parse_args(argv)
    if "DATABASE_URL" not in os.environ:
        sys.exit("DATABASE_URL is not set: run through scripts/devenv.py")
    header("search: GET /api/tattooists in-process, uncached, scale seed")
    if args.reuse and has_data(args.db):
        say(f"   reusing {args.db}")
    else:
        started = time.monotonic()
        counts = build(args.db, args.factor)
        say(f"   seeded {args.db} in {time.monotonic() - started:.0f} s: {counts}")

    os.environ.update(app_env(db_url(args.db), LOCAL_MEMORY_CACHE="true"), DJANGO_SETTINGS_MODULE="tattoo.settings")
    import django
    from django.conf import settings

    django.setup()
    # Every answer computed: no rendered answer is kept (the ETag's version lookup still runs).
    settings.CACHES["public"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

    from django.db import connection
    from django.utils import timezone

    from tattoo.wsgi import application
    from testing.wsgi import environ_for

    devnull = open(os.devnull, "w")  # noqa: SIM115 - the request log lines, written, to nowhere
    for logger in (logging.getLogger(), *(logging.getLogger(n) for n in logging.root.manager.loggerDict)):
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
    statements = [0]

    def counting(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    today = timezone.localdate(timezone=timezone.get_fixed_timezone(8 * 60))
    names = [pair[i] for pair in GIVEN for i in (0, 1)] + [pair[1] for pair in FAMILY]

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    cases = {
        "q + district + priceMax, sort=soonest": lambda i: {
            "q": names[i % len(names)],
            "district": DISTRICTS[i % len(DISTRICTS)],
            "priceMax": 150000,
            "sort": "soonest",
        },
        "q + language + minRating, sort=soonest": lambda i: {
            "q": names[i % len(names)],
            "language": "mn" if i % 2 else "en",
            "minRating": 4,
            "sort": "soonest",
        },
        "availableFrom/To 7 days, all artists": lambda i: {
            "availableFrom": day(i % 20),
            "availableTo": day(i % 20 + 6),
        },
        "availableFrom/To 7 days + district": lambda i: {
            "availableFrom": day(i % 20),
            "availableTo": day(i % 20 + 6),
            "district": DISTRICTS[i % len(DISTRICTS)],
        },
        "q alone (relevance)": lambda i: {"q": names[(i * 7) % len(names)]},
        "newest, page 1..5": lambda i: {"page": 1 + i % 5},
        "sort=rating, minRating=4.5": lambda i: {"sort": "rating", "minRating": "4.5", "page": 1 + i % 3},
        "sort=soonest, all artists": lambda i: {"sort": "soonest", "page": 1 + i % 5},
    }
    statuses: set[str] = set()

    def get(query: dict) -> bytes:
        def start_response(status, headers, exc_info=None):
            statuses.add(status[:3])

        path = "/api/tattooists?" + urlencode(query)
        result = application(environ_for(path, host="127.0.0.1"), start_response)
        body = b"".join(result)
        result.close()
        return body

    import json

    if not args.no_freeze:
        # As gunicorn.conf.py's post_worker_init does in every worker, once the app is loaded.
        import gc

        gc.freeze()
    say(f"   load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, app objects frozen: {not args.no_freeze}")
    say(f"   {args.n} requests per type, one thread; ms per request (p50 / p95 / max), SQL statements of one")
    for label, query in cases.items():
        for i in range(10):
            get(query(i))
        statements[0] = 0
        with connection.execute_wrapper(counting):
            sample = json.loads(get(query(1)))
        times, cpu = [], []
        for i in range(args.n):
            started, started_cpu = time.perf_counter(), time.process_time()
            get(query(i))
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        say(
            f"  {label:42} {statistics.median(times):6.1f} / {percentile(times, 95):6.1f} / {max(times):6.1f} ms"
            f"  (web process CPU p50 {statistics.median(cpu):5.1f} ms)"
            f"   {statements[0]:2d} queries   {sample.get('count', '?'):>5} found"
        )
    if statuses != {"200"}:
        say(f"   unexpected statuses: {statuses}")
        return 1

    from accounts.models import Tattooist
    from bookings.selectors import artists_available_between, next_available, tattooist_slots
    from search.selectors import ArtistQuery, artists_matching

    say("\n   the slot rule over many artists: loaded at once vs the naive loop (tattooist_slots per artist)")
    artists = list(artists_matching(ArtistQuery()).only("id", "timezone", "session_minutes"))

    def naive_available(first, last, now) -> set[int]:
        found = set()
        for artist in artists:
            tz = ZoneInfo(artist.timezone)
            start = datetime.combine(first, dtime.min, tzinfo=tz)
            end = datetime.combine(last + timedelta(days=1), dtime.min, tzinfo=tz)
            if tattooist_slots(tattooist=artist, start=start, end=end, now=now).starts:
                found.add(artist.pk)
        return found

    def naive_next(page, now) -> dict:
        out = {}
        for artist in page:
            starts = tattooist_slots(tattooist=artist, start=now, end=now + timedelta(days=60), now=now).starts
            out[artist.pk] = starts[0] if starts else None
        return out

    def timed(fn, repeat: int) -> tuple[float, object]:
        best, result = float("inf"), None
        for _ in range(repeat):
            started = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - started)
        return best * 1000, result

    now = timezone.now()
    for label, first, last in [("7 days", today + timedelta(days=3), today + timedelta(days=9))]:
        loaded_ms, loaded = timed(
            lambda first=first, last=last: artists_available_between(
                artists=artists, first_day=first, last_day=last, now=now
            ),
            5,
        )
        statements[0] = 0
        with connection.execute_wrapper(counting):
            artists_available_between(artists=artists, first_day=first, last_day=last, now=now)
        loaded_queries = statements[0]
        naive_ms, naive = timed(lambda first=first, last=last: naive_available(first, last, now), 2)
        agree = "agree" if loaded == naive else "DISAGREE"
        say(
            f"  free {label}, {len(artists)} artists: loaded {loaded_ms:7.1f} ms ({loaded_queries} queries), "
            f"naive {naive_ms:7.1f} ms ({2 * len(artists)} queries): {naive_ms / loaded_ms:5.1f}x; {len(loaded)} free, "
            f"{agree}"
        )
        if loaded != naive:
            return 1
    page = artists[:100]
    loaded_ms, loaded = timed(lambda: next_available(artists=page, now=now), 5)
    naive_ms, naive = timed(lambda: naive_next(page, now), 3)
    agree = "agree" if loaded == naive else "DISAGREE"
    say(
        f"  nextAvailable, a page of 100: loaded {loaded_ms:7.1f} ms (2 queries), naive {naive_ms:7.1f} ms "
        f"(200 queries): {naive_ms / loaded_ms:5.1f}x; {agree}"
    )
    if loaded != naive:
        return 1

    say("\n   where the time of availableFrom/To 7 days, all artists goes (each part alone; best / median of 7)")
    from bookings.selectors import schedules_load, slot_starts
    from search.selectors import _Clock, _finish, _with_cards
    from search.serializers import ArtistSerializer
    from tattoo.core.renderers import CamelCaseJSONRenderer

    first, last = today + timedelta(days=3), today + timedelta(days=9)
    wide_start = datetime.combine(first, dtime.min, tzinfo=UTC) - timedelta(hours=14)
    wide_end = datetime.combine(last + timedelta(days=1), dtime.min, tzinfo=UTC) + timedelta(hours=12)

    def ids():
        return [_Clock(*r) for r in artists_matching(ArtistQuery()).values_list("id", "timezone", "session_minutes")]

    clocks = ids()
    schedules = schedules_load(artists=clocks, start=wide_start, end=wide_end, now=now)

    def rule():
        for c in clocks:
            tz = ZoneInfo(c.timezone)
            slot_starts(
                schedule=schedules[c.pk],
                start=datetime.combine(first, dtime.min, tzinfo=tz),
                end=datetime.combine(last + timedelta(days=1), dtime.min, tzinfo=tz),
                now=now,
                first=True,
            )

    page_ids = [c.pk for c in clocks[:20]]

    def page_rows():
        rows = _with_cards(Tattooist.objects.filter(pk__in=page_ids)).in_bulk()
        return [rows[pk] for pk in page_ids]

    artists_page = page_rows()
    _finish(artists_page, next_available(artists=artists_page, now=now))

    def render():
        return CamelCaseJSONRenderer().render({"results": ArtistSerializer(artists_page, many=True).data})

    parts = [
        ("matching ids (1 query, 2,000 rows)", ids),
        (
            "schedules of 2,000 (2 queries)",
            lambda: schedules_load(artists=clocks, start=wide_start, end=wide_end, now=now),
        ),
        ("the rule over 2,000 (Python)", rule),
        ("the page of 20 (1 query)", page_rows),
        ("its next free starts (2 queries)", lambda: next_available(artists=artists_page, now=now)),
        ("serializer + renderer (20)", render),
        ("the whole request", lambda: get(cases["availableFrom/To 7 days, all artists"](3))),
    ]
    for label, fn in parts:
        runs = []
        for _ in range(7):
            started = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - started) * 1000)
        say(f"  {label:42} {min(runs):6.1f} / {statistics.median(runs):6.1f} ms")

    say("\n   EXPLAIN (ANALYZE, BUFFERS) of q + district + priceMax, sort=soonest: the matching artists' ids")
    from decimal import Decimal

    query = ArtistQuery(q="Сараа", district="bayangol", price_max=Decimal(150000), sort="soonest")
    sql, params = artists_matching(query).values_list("id", "timezone", "session_minutes").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        for (line,) in cursor.fetchall():
            say("    " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
