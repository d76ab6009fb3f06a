"""The consultation inbox of a busy artist, in-process: the app's WSGI callable called in a loop.

    python scripts/devenv.py --test -- python -m bench.consultations

Seeds `inkbook_bench` with one artist holding 1,000 consultation requests from 200 customers (a
third with a message thread, a quarter with an open quote, 40 that became projects) and a second
artist with 3, then times GET /api/consultations as the artist (bearer token, production
settings, the request log written to /dev/null): the first page of 20 and of 100, the last page
of 100, and the small inbox, each N times on one thread. Prints p50/p95/p99 in ms and the
queries per answer (counted once per case, with CaptureQueriesContext): the list must cost the
same queries whatever its length (exits 1 otherwise, or on any status but 200).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from bench.common import app_env, header, recreate_database, say

N = int(os.environ.get("BENCH_CONSULTATIONS_N", "400"))


def seed() -> tuple[str, str]:
    """The two artists' access tokens."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, Tattooist, User
    from accounts.tokens import tokens_for_user
    from consultations.models import Consultation, ConsultationMessage, Quote

    started = time.perf_counter()
    with transaction.atomic():
        busy_user = User.objects.create_user("busy@bench.test", "bench-pass-1234", name="Busy", role=Role.TATTOOIST)
        quiet_user = User.objects.create_user("quiet@bench.test", "bench-pass-1234", name="Quiet", role=Role.TATTOOIST)
        busy = Tattooist.objects.create(user=busy_user, approved=True, booking_mode="request")
        quiet = Tattooist.objects.create(user=quiet_user, approved=True, booking_mode="request")
        customers = User.objects.bulk_create(
            User(email=f"c{i}@bench.test", name=f"Customer {i}", role=Role.CUSTOMER, password="!") for i in range(200)
        )

        def requests(artist, count):
            return Consultation.objects.bulk_create(
                Consultation(
                    customer=customers[i % len(customers)],
                    tattooist=artist,
                    description=f"A custom piece, idea {i}",
                    placement="back",
                    width_cm=20,
                    height_cm=30,
                    colour="colour",
                    date_of_birth=date(1990, 1, 1),
                    status="quoted" if i % 4 == 0 else "submitted",
                )
                for i in range(count)
            )

        rows = requests(busy, 1000)
        requests(quiet, 3)
        ConsultationMessage.objects.bulk_create(
            ConsultationMessage(consultation=row, author=row.customer, body="Hello") for row in rows[::3]
        )
        soon = timezone.now() + timedelta(days=5)
        Quote.objects.bulk_create(
            Quote(
                consultation=row,
                version=1,
                price_min=Decimal("300000"),
                price_max=Decimal("400000"),
                sessions=2,
                session_minutes=180,
                deposit_amount=Decimal("100000"),
                deposit_applies_to="first",
                proposed_slots=[soon],
                expires_at=soon,
                created_by=busy_user,
            )
            for row in rows[::4]
        )
    took = time.perf_counter() - started
    say(f"   seeded 1,003 requests, {len(rows[::3])} threads, {len(rows[::4])} open quotes in {took:.1f} s")
    return tokens_for_user(busy_user)["access"], tokens_for_user(quiet_user)["access"]


def main() -> int:
    header("consultation inbox in-process: GET /api/consultations, an artist with 1,000 requests")
    db_url = recreate_database()
    os.environ.update(app_env(db_url), DJANGO_SETTINGS_MODULE="tattoo.settings")
    import django

    django.setup()
    import logging

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tattoo.wsgi import application
    from testing.wsgi import environ_for

    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    for logger in (logging.getLogger(), *(logging.getLogger(n) for n in logging.root.manager.loggerDict)):
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
    busy, quiet = seed()
    bad: list[str] = []

    def call(token: str, path: str) -> tuple[str, bytes]:
        got = {}

        def start_response(status, headers, exc_info=None):
            got["status"] = status[:3]

        result = application(
            environ_for(path, host="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en"),
            start_response,
        )
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        return got["status"], body

    cases = [
        ("1,000 requests, page 1 of 20", busy, "/api/consultations"),
        ("1,000 requests, page 1 of 100", busy, "/api/consultations?pageSize=100"),
        ("1,000 requests, page 10 of 100", busy, "/api/consultations?pageSize=100&page=10"),
        ("1,000 requests, ?status=quoted", busy, "/api/consultations?status=quoted&pageSize=100"),
        ("3 requests", quiet, "/api/consultations"),
    ]
    say(f"   {N} calls each on one thread, ms per answer")
    say(f"  {'case':34} {'p50':>7} {'p95':>7} {'p99':>7}  queries")
    queries = {}
    for label, token, path in cases:
        for _ in range(20):
            call(token, path)
        with CaptureQueriesContext(connection) as captured:
            status, _body = call(token, path)
        queries[label] = len(captured.captured_queries)
        times = []
        for _ in range(N):
            started = time.perf_counter()
            status, _body = call(token, path)
            times.append((time.perf_counter() - started) * 1000)
            if status != "200":
                bad.append(f"{label}: {status}")
        q = statistics.quantiles(times, n=100)
        say(f"  {label:34} {statistics.median(times):7.2f} {q[94]:7.2f} {q[98]:7.2f}  {queries[label]}")
    if len(set(queries.values())) != 1:
        say(f"   the query count depends on the list: {queries}")
        return 1
    if bad:
        say(f"   unexpected statuses: {bad[:5]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
