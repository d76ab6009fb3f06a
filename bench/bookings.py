"""Booking creation under concurrency, served by gunicorn (production settings, 2 workers).

    python scripts/devenv.py --test -- python -m bench.bookings

Phase 1: 50 clients (50 customers) each create one booking on a distinct bookable slot, all
released together. Phase 2: 50 clients race for one slot: exactly one may win, the rest get 409.
Prints bookings/s, p50/p99, status counts (0 5xx allowed), winners per slot from the database,
and the SQL statements one create costs (CaptureQueriesContext, in-process, same database).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import requests

from bench.common import Stats, app_env, gunicorn, header, recreate_database, say
from bench.seed import seed

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))


def race(base: str, jobs: list[tuple[str, dict]]) -> Stats:
    """POST every (token, body) from its own thread, all released by one barrier."""
    stats = Stats()
    barrier = threading.Barrier(len(jobs))
    lock = threading.Lock()

    def run(token: str, body: dict) -> None:
        session = requests.Session()
        barrier.wait()
        t0 = time.perf_counter()
        r = session.post(f"{base}/api/bookings", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        took = time.perf_counter() - t0
        with lock:
            stats.latencies.append(took)
            stats.statuses[r.status_code] += 1

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    stats.elapsed = time.perf_counter() - started
    return stats


# Statements one create over HTTP costs without BEGIN/COMMIT: the JWT user lookup + the service's 7
# (the ORM create path; bookings/tests/test_booking_create.py pins the same count).
CREATE_SQL = 8


def main() -> int:
    header("bookings: concurrent creates")
    db_url = recreate_database()
    seed(db_url)
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tattoo.settings")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Tattooist, User
    from accounts.tokens import tokens_for_user
    from bookings.models import Booking
    from bookings.selectors import tattooist_slots

    customers = list(User.objects.filter(role="customer").order_by("id")[: CLIENTS * 2 + 1])
    tokens = [tokens_for_user(u)["access"] for u in customers]
    failures = 0
    with gunicorn("tattoo.wsgi:application", app_env(db_url), name="app-bookings") as app:
        # Distinct slots: the first bookable start of 50 artists.
        artists = requests.get(f"{app}/api/tattooists?pageSize=100").json()["results"]
        picks = []
        for artist in artists:
            starts = requests.get(f"{app}/api/tattooists/{artist['id']}/slots").json()["slots"]
            if starts:
                picks.append((artist, starts[0]["start"]))
            if len(picks) == CLIENTS:
                break
        jobs = [
            (tokens[i], {"tattooistId": a["id"], "slot": s, "depositAmount": a["minDeposit"]})
            for i, (a, s) in enumerate(picks)
        ]
        distinct = race(app, jobs)
        say(f"   {len(jobs)} clients, distinct slots")
        say(distinct.line("distinct slots") + f"   {distinct.statuses[201] / distinct.elapsed:6.1f} bookings/s")

        artist, _ = picks[0]
        starts = requests.get(f"{app}/api/tattooists/{artist['id']}/slots").json()["slots"]
        slot = starts[-1]["start"]
        body = {"tattooistId": artist["id"], "slot": slot, "depositAmount": artist["minDeposit"]}
        one = race(app, [(tokens[CLIENTS + i], body) for i in range(CLIENTS)])
        say(f"   {CLIENTS} clients, one slot ({slot})")
        say(one.line("one slot"))

    fivexx = sum(v for k, v in (distinct.statuses + one.statuses).items() if k >= 500)
    per_slot = Counter(
        Booking.objects.filter(status="pending", tattooist_id__in=[a["id"] for a, _ in picks]).values_list(
            "tattooist_id", "slot"
        )
    )
    winners_one = sum(1 for (t, s), n in per_slot.items() if t == artist["id"] and s.isoformat().startswith(slot[:16]))
    say(f"   5xx: {fivexx}; distinct 201s: {distinct.statuses[201]}/{len(jobs)}")
    say(f"   one slot: 201={one.statuses[201]} 409={one.statuses[409]}; rows holding it: {winners_one}")
    say(f"   max active rows on any one slot: {max(per_slot.values())}")
    failures += fivexx > 0 or one.statuses[201] != 1 or winners_one != 1 or max(per_slot.values()) != 1
    failures += distinct.statuses[201] != len(jobs)

    # Statements per create, measured in-process against the same database.
    client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[-1]}")
    artist = picks[1][0]
    t = Tattooist.objects.get(pk=artist["id"])
    free = tattooist_slots(tattooist=t, start=timezone.now(), end=timezone.now() + timedelta(days=14)).starts
    body = {"tattooistId": artist["id"], "slot": free[-1].isoformat(), "depositAmount": artist["minDeposit"]}
    with CaptureQueriesContext(connection) as queries:
        r = client.post("/api/bookings", body, content_type="application/json")
    n = len(queries.captured_queries)
    sql = sum(1 for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT"))
    say(
        f"   SQL per create (in-process, status {r.status_code}): {sql} queries (expected {CREATE_SQL}: the JWT "
        f"lookup and the service's 7, bookings/tests/test_booking_create.py), {n} with BEGIN/COMMIT"
    )
    for q in queries.captured_queries:
        say(f"     {q['sql'][:110]}")
    failures += r.status_code != 201 or sql > CREATE_SQL
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
