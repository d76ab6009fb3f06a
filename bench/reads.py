"""Public reads: the app under gunicorn against a raw psycopg WSGI baseline serving the same JSON.

    make bench            (or: python scripts/devenv.py --test -- python -m bench.reads)

Seeds bench/seed.py into a separate database (inkbook_bench), serves the app (production
settings, 2 sync workers) and bench/raw_app.py (2 sync workers) side by side, checks that both
answer the same JSON, then loads them in alternation from one client (threads with keep-alive
sessions, loopback), each phase bounded by BENCH_SECONDS and BENCH_MAX_REQUESTS.

For the two cached reads (portfolio, artist list) the app is measured three ways:
  miss  every request on a host name of its own, so nothing is cached: the full view runs
  warm  a plain repeat GET: the stored rendered answer after a version lookup (tattoo/core/http_cache.py)
  304   a browser/CDN revalidating with If-None-Match: a 304 after a version lookup
"""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta

import psycopg
import requests

from bench.common import Stats, app_env, gunicorn, header, load, recreate_database, say
from bench.seed import STYLES, seed

SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "20000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def strip_host(body):
    if isinstance(body, dict):
        return {
            k: (v.split("/api/", 1)[1] if k in ("next", "previous") and v else strip_host(v)) for k, v in body.items()
        }
    if isinstance(body, list):
        return [strip_host(v) for v in body]
    return body


def main() -> int:
    header("reads: app vs raw psycopg WSGI")
    db_url = recreate_database()
    counts = seed(db_url)
    say(f"   seeded {counts}; phases of {SECONDS:.0f} s or {MAX_REQUESTS} requests, {CONCURRENCY} client threads")
    with psycopg.connect(db_url) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM tattooists ORDER BY id LIMIT 50")]
    today = date.today()  # noqa: DTZ011 - the app reads a date as the artist's local day too
    window = f"from={today.isoformat()}&to={(today + timedelta(days=29)).isoformat()}"
    endpoints = {
        "GET /api/portfolio/{id}": [f"/api/portfolio/{i}" for i in ids],
        "GET /api/tattooists?style=": [f"/api/tattooists?style={s}" for s in STYLES],
        "GET /api/availability/{id}": [f"/api/availability/{i}" for i in ids],
        "GET /api/tattooists/{id}/slots": [f"/api/tattooists/{i}/slots?{window}" for i in ids],
    }
    cached = {"GET /api/portfolio/{id}", "GET /api/tattooists?style="}
    env = app_env(db_url)
    failures = 0
    with (
        gunicorn("tattoo.wsgi:application", env, name="app") as app,
        gunicorn("bench.raw_app:application", env, name="raw") as raw,
    ):
        for paths in endpoints.values():
            a, r = requests.get(app + paths[0]), requests.get(raw + paths[0])
            same = a.status_code == r.status_code == 200 and strip_host(a.json()) == strip_host(r.json())
            failures += not same
            say(f"   same JSON for {paths[0]}: {'yes' if same else 'NO'}")
        results: dict[tuple[str, str], Stats] = {}
        for _ in range(ROUNDS):
            for name, paths in endpoints.items():
                variants = [("raw", raw, False, False)]
                if name in cached:
                    variants += [
                        ("app miss", app, False, True),
                        ("app warm", app, False, False),
                        ("app 304", app, True, False),
                    ]
                else:
                    variants += [("app", app, False, False)]
                for label, base, conditional, miss in variants:
                    load(base, paths[:20], seconds=0.3, max_requests=50, concurrency=2, conditional=conditional)
                    stats = load(
                        base,
                        paths,
                        seconds=SECONDS,
                        max_requests=MAX_REQUESTS,
                        concurrency=CONCURRENCY,
                        conditional=conditional,
                        miss=miss,
                    )
                    results.setdefault((name, label), Stats()).merge(stats)
        for name in endpoints:
            say(f"\n{name}")
            base_rps = results[(name, "raw")].rps
            for (n, label), stats in results.items():
                if n != name:
                    continue
                ratio = "" if label == "raw" else f"   {stats.rps / base_rps:4.2f}x raw"
                bad = sum(v for k, v in stats.statuses.items() if k not in (200, 304))
                failures += bad > 0
                say(stats.line(label) + ratio)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
