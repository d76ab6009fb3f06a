"""Booking create in-process: `POST /api/bookings` through Django's test client, one thread.

    python scripts/devenv.py --test -- python -m bench.create_inprocess [--n 300] [--profile] [--statements]

Seeds bench/seed.py's data into its own database (inkbook_create), picks free slots with the
slots selector beforehand (not timed), signs each customer in with a JWT beforehand (not timed),
then times N creates, each by another customer on another artist-day, through the whole stack
(middleware, DRF, JWT authentication, the serializer, `booking_create`, the response). Prints
the p50/p90 in ms and the SQL statements of one create (CaptureQueriesContext). `--profile`
prints a cProfile of the creates instead (sorted by cumulative time, or BENCH_SORT, BENCH_LINES
lines); `--statements` prints each statement's median time as the client saw it. bench/create_vs_peer.py
runs this and the django-appointment side in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.common import ROOT, VENV_BIN, admin_url, app_env, say
from bench.interleave import serve
from bench.seed import seed

DB = "inkbook_create"


def prepare_database() -> str:
    import subprocess

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{DB}"))
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=app_env(url, LOCAL_MEMORY_CACHE="true"),
        check=True,
    )
    seed(url)
    with psycopg.connect(url, autocommit=True) as conn:
        # Fresh statistics and no autovacuum of the new rows running under the timed creates.
        conn.execute("VACUUM ANALYZE")
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--statements", action="store_true", help="also print each statement's median time as the client saw it"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument(
        "--serve", action="store_true", help="after the warm-up, time `run K` batches read from stdin (create_vs_peer)"
    )
    args = parser.parse_args(argv)

    url = prepare_database()
    os.environ.update(
        app_env(url, LOCAL_MEMORY_CACHE="true", ALLOWED_HOSTS="testserver"), DJANGO_SETTINGS_MODULE="tattoo.settings"
    )
    import logging

    import django

    django.setup()
    logging.disable(logging.CRITICAL)  # the request log line goes nowhere; its formatting is not the subject
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import Role, Tattooist, User
    from bookings.selectors import tattooist_slots

    now = datetime.now(UTC)
    artists = list(Tattooist.objects.order_by("pk"))
    customers = list(User.objects.filter(role=Role.CUSTOMER).order_by("pk"))
    # One slot per (artist, local day): the artist-day hold cap and each customer's hold limit
    # never refuse a create, so every timed create is a 201 that writes.
    plan: list[tuple[int, str]] = []
    for artist in artists:
        slots = tattooist_slots(tattooist=artist, start=now + timedelta(days=1), end=now + timedelta(days=30), now=now)
        seen_days = set()
        for start_dt in slots.starts:
            day = start_dt.date()
            if day in seen_days:
                continue
            seen_days.add(day)
            plan.append((artist.pk, start_dt.isoformat()))
            if len(seen_days) >= 3:
                break
        if len(plan) >= args.n + 20:
            break
    plan = plan[: args.n + 20]
    if len(plan) < args.n + 20:
        sys.exit(f"only {len(plan)} free slots found")
    tokens = [str(AccessToken.for_user(customers[i % len(customers)])) for i in range(len(plan))]
    client = Client()

    def create(i: int):
        artist_id, slot = plan[i]
        return client.post(
            "/api/bookings",
            data=json.dumps({"tattooistId": artist_id, "slot": slot, "depositAmount": "50000"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens[i]}",
        )

    for i in range(10):  # warm-up: imports, first connection, caches
        r = create(i)
        assert r.status_code == 201, (r.status_code, r.content[:300])
    with CaptureQueriesContext(connection) as queries:
        r = create(10)
    assert r.status_code == 201, r.content
    sql = [q["sql"] for q in queries.captured_queries]

    if args.serve:
        return serve(lambda i: create(i).status_code == 201, first=11, total=args.n, side="inkbook", sql=len(sql))
    timings: list[float] = []
    spent: dict[str, list[float]] = {}
    if args.statements:
        connection.execute_wrappers.append(_timer(spent))
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    for i in range(11, 11 + args.n):
        t0 = time.perf_counter()
        r = create(i)
        timings.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 201:
            sys.exit(f"create {i}: {r.status_code} {r.content[:300]!r}")
    if args.profile:
        prof.disable()
        order, lines = os.environ.get("BENCH_SORT", "cumulative"), int(os.environ.get("BENCH_LINES", "45"))
        pstats.Stats(prof).sort_stats(order).print_stats(lines)
    timings.sort()
    result = {
        "side": "inkbook",
        "n": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p90_ms": round(timings[int(0.9 * len(timings))], 2),
        "sql_per_create": len(sql),
    }
    if args.json:
        print(json.dumps(result), flush=True)
    else:
        say(f"booking create in-process (test client, JWT): {result}")
        for s in sql:
            median = f"{statistics.median(spent[_key(s)]):6.2f} ms " if spent.get(_key(s)) else ""
            say(f"   {median}{s[:160]}")
    return 0


def _timer(spent: dict[str, list[float]]):
    """An execute wrapper that files each statement's time (sending it to reading its rows) under
    the statement's first words. BEGIN and COMMIT do not pass through execute wrappers."""

    def wrapper(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.setdefault(_key(sql), []).append((time.perf_counter() - t0) * 1000)

    return wrapper


def _key(sql: str) -> str:
    return " ".join(sql.split())[:60]


if __name__ == "__main__":
    sys.exit(main())
