"""The job workers (docs/jobs.md): throughput and lateness of hold expiries, on real workers.

    python scripts/devenv.py --test -- python -m bench.jobs

Workers are the Procfile's command (`manage.py procrastinate worker`, production settings and the
default JOBS_* values: 4 jobs at once per process, a look for due jobs every second) on a fresh
`inkbook_bench` database seeded by bench/seed.py. Each hold is a pending, unpaid booking with its
`bookings.expire_hold` job, as booking_create writes them (the rows are written with SQL so
seeding takes a second).

1. Throughput: 1,000 holds already due are enqueued in one transaction while 1 (then 2) idle
   workers wait; jobs/s = 1,000 / (last job done - commit), both read from the database clock.
2. Lateness: 1,000 holds due within the same minute (spread evenly over 60 s, starting 5 s after
   the commit), one worker; for each job the delay from its due time to done (its `succeeded`
   event); p50, p95, max. Target: p95 under 2 s.

Checks afterwards: every hold expired exactly once (one `hold expired` audit row each), no job
failed. Bounded: each phase stops after 180 s.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import time

import psycopg

from bench.common import LOGS, ROOT, VENV_BIN, app_env, header, recreate_database, say
from bench.seed import seed

HOLDS = 1000
PHASE_LIMIT_SECONDS = 180
_round = 0

HOLDS_SQL = """
WITH new AS (
    INSERT INTO bookings (slot, ends_at, status, deposit_amount, payment_status, notes, hold_expires_at,
                          created_at, updated_at, customer_id, tattooist_id)
    SELECT date_trunc('day', now()) + (%(round)s * 10 + 100 + g) * interval '1 day' + interval '15 hours',
           date_trunc('day', now()) + (%(round)s * 10 + 100 + g) * interval '1 day' + interval '17 hours',
           'pending', 50000, 'unpaid', '',
           now() + %(first_due)s * interval '1 second'
                 + (row_number() OVER () - 1) * %(spread)s * interval '1 second' / %(n)s,
           now(), now(), c.first + t.id %% 500, t.id
    FROM tattooists t, generate_series(0, %(per_artist)s - 1) g,
         (SELECT min(id) AS first FROM users WHERE role = 'customer') c
    RETURNING id, hold_expires_at
)
INSERT INTO procrastinate_jobs (queue_name, task_name, args, scheduled_at)
SELECT 'default', 'bookings.expire_hold', jsonb_build_object('booking_id', id), hold_expires_at FROM new
RETURNING id
"""


def enqueue_holds(db_url: str, *, first_due: float, spread: float) -> tuple[list[int], float]:
    """Write HOLDS holds and their expiry jobs in one transaction; (job ids, commit time as epoch)."""
    global _round
    _round += 1
    with psycopg.connect(db_url) as conn:
        artists = conn.execute("SELECT count(*) FROM tattooists").fetchone()[0]
        ids = [
            row[0]
            for row in conn.execute(
                HOLDS_SQL,
                {
                    "round": _round,
                    "first_due": first_due,
                    "spread": spread,
                    "n": HOLDS,
                    "per_artist": -(-HOLDS // artists),
                },
            ).fetchall()
        ][:HOLDS]
        conn.commit()
        committed = conn.execute("SELECT extract(epoch FROM clock_timestamp())").fetchone()[0]
    return ids, float(committed)


def start_workers(db_url: str, count: int, phase: str) -> list[subprocess.Popen]:
    LOGS.mkdir(parents=True, exist_ok=True)
    procs = []
    for i in range(count):
        log = open(LOGS / f"jobs-{phase}-{i + 1}.log", "w")  # noqa: SIM115 - closed with the process
        procs.append(
            subprocess.Popen(
                [str(VENV_BIN / "python"), "manage.py", "procrastinate", "worker", "--name", f"bench-{phase}-{i + 1}"],
                cwd=ROOT,
                env=app_env(db_url, LOG_LEVEL="WARNING"),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    with psycopg.connect(db_url) as conn:  # wait until every worker has registered
        deadline = time.monotonic() + 60
        while conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()[0] < count:
            if time.monotonic() > deadline:
                sys.exit(f"workers did not start; see {LOGS}")
            time.sleep(0.2)
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def wait_done(db_url: str, job_ids: list[int]) -> None:
    deadline = time.monotonic() + PHASE_LIMIT_SECONDS
    with psycopg.connect(db_url, autocommit=True) as conn:
        while True:
            left = conn.execute(
                "SELECT count(*) FROM procrastinate_jobs WHERE id = ANY(%s) AND status IN ('todo', 'doing')", [job_ids]
            ).fetchone()[0]
            if not left:
                return
            if time.monotonic() > deadline:
                sys.exit(f"{left} jobs still not done after {PHASE_LIMIT_SECONDS} s")
            time.sleep(0.2)


def done_times(db_url: str, job_ids: list[int]) -> list[tuple[float, float]]:
    """(due, done) epochs per job, from the database clock."""
    with psycopg.connect(db_url) as conn:
        return [
            (float(due), float(done))
            for due, done in conn.execute(
                """
                SELECT extract(epoch FROM j.scheduled_at), extract(epoch FROM e.at)
                FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'succeeded'
                WHERE j.id = ANY(%s)
                """,
                [job_ids],
            ).fetchall()
        ]


def check(db_url: str, job_ids: list[int]) -> bool:
    with psycopg.connect(db_url) as conn:
        statuses = dict(
            conn.execute(
                "SELECT status, count(*) FROM procrastinate_jobs WHERE id = ANY(%s) GROUP BY status", [job_ids]
            ).fetchall()
        )
        events = conn.execute(
            """
            SELECT count(*), count(DISTINCT e.booking_id) FROM booking_events e
            JOIN procrastinate_jobs j ON (j.args->>'booking_id')::bigint = e.booking_id
            WHERE j.id = ANY(%s) AND e.to_status = 'expired'
            """,
            [job_ids],
        ).fetchone()
    ok = statuses == {"succeeded": len(job_ids)} and events == (len(job_ids), len(job_ids))
    say(f"  check: jobs {statuses}, expiry audit rows {events[0]} for {events[1]} holds -> {'ok' if ok else 'WRONG'}")
    return ok


def throughput(db_url: str, workers: int) -> tuple[float, bool]:
    procs = start_workers(db_url, workers, f"throughput{workers}")
    try:
        job_ids, committed = enqueue_holds(db_url, first_due=-1, spread=0)
        wait_done(db_url, job_ids)
    finally:
        stop_workers(procs)
    last = max(done for _, done in done_times(db_url, job_ids))
    rate = len(job_ids) / (last - committed)
    say(f"  {workers} worker(s): {len(job_ids)} hold expiries in {last - committed:.2f} s = {rate:.0f} jobs/s")
    return rate, check(db_url, job_ids)


def lateness(db_url: str) -> tuple[list[float], bool]:
    procs = start_workers(db_url, 1, "lateness")
    try:
        job_ids, _ = enqueue_holds(db_url, first_due=5, spread=60)
        wait_done(db_url, job_ids)
    finally:
        stop_workers(procs)
    delays = sorted(done - due for due, done in done_times(db_url, job_ids))
    p50 = statistics.median(delays)
    p95 = delays[int(len(delays) * 0.95) - 1]
    say(
        f"  1 worker, {len(delays)} holds due over 60 s: delay from due to done "
        f"p50 {p50:.2f} s, p95 {p95:.2f} s, max {delays[-1]:.2f} s, min {delays[0]:.2f} s "
        f"(target p95 < 2 s: {'met' if p95 < 2 else 'MISSED'})"
    )
    return delays, check(db_url, job_ids)


def main() -> int:
    header("jobs: hold expiries on real workers")
    db_url = recreate_database()
    seed(db_url)
    ok = True
    say("throughput (1,000 due holds enqueued at once, idle workers waiting):")
    for workers in (1, 2):
        ok &= throughput(db_url, workers)[1]
    say("lateness (1,000 holds due in the same minute):")
    ok &= lateness(db_url)[1]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
