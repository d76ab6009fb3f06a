"""Signed payment notifications (worker → web) under concurrency, served by gunicorn.

    python scripts/devenv.py --test -- python -m bench.payments

800 pending bookings with an open QPay invoice each; 1,000 notifications (700 distinct payments
plus 300 duplicates of them, shuffled) signed like the worker signs them (qpay_signing/__init__.py,
WORKER_TO_WEB_SECRET) are POSTed to /api/payments/notify from 16 threads. Prints notifications/s,
p50/p99 and the outcomes, then checks the database: exactly one credit per payment (one paid
transaction, one confirmed booking, one "paid" audit event), none for the 100 never notified.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from collections import Counter

import psycopg
import requests

import qpay_signing as signing
from bench.common import Stats, app_env, gunicorn, header, recreate_database, say
from bench.seed import seed

DISTINCT, DUPLICATES, THREADS = 700, 300, 16

SEED_SQL = """
INSERT INTO bookings (slot, ends_at, status, deposit_amount, payment_status, notes, hold_expires_at,
                      created_at, updated_at, customer_id, tattooist_id)
SELECT date_trunc('day', now()) + (60 + g) * interval '1 day' + interval '15 hours',
       date_trunc('day', now()) + (60 + g) * interval '1 day' + interval '17 hours',
       'pending', 50000, 'pending', '', now() + interval '1 day', now(), now(),
       c.first + (t.id + g) % 500, t.id
FROM tattooists t, generate_series(0, 3) g, (SELECT min(id) AS first FROM users WHERE role = 'customer') c;

INSERT INTO transactions (amount, currency, status, flag, qpay_invoice_id, payment_type, paid_amount, checkout_url,
                          qr_text, qr_image, bank_links, expires_at, refunded_amount, refund_state, created_at,
                          updated_at, booking_id)
SELECT 50000, 'MNT', 'pending', '', 'INV-' || b.id, '', 0, '', '', '', '[]', now() + interval '1 day', 0, '',
       now(), now(), b.id
FROM bookings b WHERE b.status = 'pending';
"""


def main() -> int:
    header("payments: signed notifications with duplicates")
    db_url = recreate_database()
    seed(db_url)
    with psycopg.connect(db_url) as conn:
        conn.execute(SEED_SQL)
        txns = conn.execute("SELECT id, qpay_invoice_id FROM transactions ORDER BY id").fetchall()
    secrets = signing.parse_secrets(os.environ.get("WORKER_TO_WEB_SECRET"))
    if not secrets:
        sys.exit("WORKER_TO_WEB_SECRET is not set: run through `make bench` (scripts/devenv.py)")
    chosen = txns[:DISTINCT]
    notices = [
        {
            "qpayInvoiceId": invoice,
            "status": "paid",
            "paidAmount": "50000.00",
            "currency": "MNT",
            "qpayPaymentId": f"PAY-{pk}",
            "paymentType": "P2P",
            "reference": f"T{pk}",
        }
        for pk, invoice in chosen
    ]
    rng = random.Random(7)
    notices += [rng.choice(notices) for _ in range(DUPLICATES)]
    rng.shuffle(notices)
    say(f"   {len(notices)} notifications ({DISTINCT} payments, {DUPLICATES} duplicates), {THREADS} threads")

    stats = Stats()
    outcomes: Counter = Counter()
    lock = threading.Lock()
    queue = iter(notices)

    def worker(base: str) -> None:
        session = requests.Session()
        while True:
            with lock:
                notice = next(queue, None)
            if notice is None:
                return
            body = json.dumps(notice).encode()
            signature = signing.sign(
                body, secrets, direction=signing.TO_WEB, method="POST", path="/api/payments/notify"
            )
            headers = {**signature, "Content-Type": "application/json"}
            t0 = time.perf_counter()
            r = session.post(f"{base}/api/payments/notify", data=body, headers=headers, timeout=60)
            took = time.perf_counter() - t0
            with lock:
                stats.latencies.append(took)
                stats.statuses[r.status_code] += 1
                outcomes[r.json().get("result", r.json().get("code")) if r.content else "-"] += 1

    with gunicorn("tattoo.wsgi:application", app_env(db_url), name="app-payments") as app:
        threads = [threading.Thread(target=worker, args=(app,)) for _ in range(THREADS)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        stats.elapsed = time.perf_counter() - started
    say(stats.line("notify") + f"   {stats.rps:6.1f} notifications/s")
    say(f"   outcomes: {dict(outcomes)}")

    with psycopg.connect(db_url) as conn:
        paid = conn.execute("SELECT count(*) FROM transactions WHERE status = 'paid'").fetchone()[0]
        confirmed = conn.execute(
            "SELECT count(*) FROM bookings WHERE status = 'confirmed' AND payment_status = 'paid' "
            "AND id IN (SELECT booking_id FROM transactions)"
        ).fetchone()[0]
        events = conn.execute(
            "SELECT max(n), count(*) FROM (SELECT booking_id, count(*) AS n FROM booking_events "
            "WHERE to_payment_status = 'paid' GROUP BY booking_id) e"
        ).fetchone()
        untouched = conn.execute(
            "SELECT count(*) FROM transactions WHERE status = 'pending' AND qpay_payment_id IS NULL"
        ).fetchone()[0]
    say(f"   paid transactions {paid}, confirmed bookings {confirmed}, bookings with a paid event {events[1]}")
    say(f"   most 'paid' events on one booking: {events[0]}; never-notified still pending: {untouched}")
    ok = (
        paid == DISTINCT
        and confirmed == DISTINCT
        and events == (1, DISTINCT)
        and untouched == len(txns) - DISTINCT
        and not any(k >= 500 for k in stats.statuses)
        and outcomes.get("processed") == DISTINCT
    )
    say(f"   exactly one credit per payment, 0 5xx: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
