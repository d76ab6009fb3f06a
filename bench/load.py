"""`make load`: the Locust scenario (bench/locustfile.py) against `make serve`, then the checks.

    python scripts/devenv.py -- python -m bench.load [--users 100] [--seconds 300] \
        [--database inkbook_scale] [--instances 1] [--py-spy 60]

Starts scripts/serve.py (the production shape) on the given database (seed it first with
bench/seed_scale.py), waits for every web instance's /healthz, runs Locust headless from
.venv-bench (`make bench-install`), prints p50/p95/p99, req/s and failures per request type, the
CPU seconds each kind of process used during the run, optionally a py-spy profile of one web
worker, and then checks the database: no two active bookings of one artist overlap, and every
payment was credited once (one paid transaction and one "paid" audit row per booking at most).
Stops the stack by its process group. Exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests

from bench.common import ROOT, header, say

OUT = ROOT / ".data" / "load"
LOAD_RATE = "100000/hour"
BENCH_VENV = ROOT / ".venv-bench" / "bin"
ACTIVE = ("pending", "confirmed", "disputed")


def db_url(name: str) -> str:
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


def plan(url: str, serve: dict) -> Path:
    from bench.seed_scale import BENCH_PASSWORD, GIVEN, STYLES

    with psycopg.connect(url) as conn:
        artists = [r[0] for r in conn.execute("SELECT id FROM tattooists WHERE approved ORDER BY id")]
        # Bookers pick among the artists who take direct bookings: a request-only artist (15 % of
        # the scale seed) answers every create with 409 `request_only`, which is no race.
        bookable = [
            r[0]
            for r in conn.execute("SELECT id FROM tattooists WHERE approved AND booking_mode <> 'request' ORDER BY id")
        ]
        customers = [
            r[0]
            for r in conn.execute(
                "SELECT email FROM users WHERE role = 'customer' AND email LIKE '%%@scale.test' ORDER BY id LIMIT 2000"
            )
        ]
    path = OUT / "plan.json"
    path.write_text(
        json.dumps(
            {
                "web": serve["web"],
                "sandbox": serve["sandbox"],
                "artists": artists,
                "bookable": bookable,
                "customers": customers,
                "styles": STYLES,
                # what people type into the search: a given name in either script
                "names": [name for pair in GIVEN for name in pair],
                "password": BENCH_PASSWORD,
            }
        )
    )
    return path


def cpu_seconds() -> dict[str, float]:
    """CPU seconds (user + system) so far of every process on the machine, by kind."""
    tick = os.sysconf("SC_CLK_TCK")
    kinds: collections.Counter = collections.Counter()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        secs = (int(fields[11]) + int(fields[12])) / tick
        if "gunicorn -c gunicorn.conf.py" in cmd:
            kind = "web (gunicorn)"
        elif "procrastinate worker" in cmd:
            kind = "jobs"
        elif "qpay_worker.app" in cmd:
            kind = "QPay worker"
        elif "qpay_worker.sandbox" in cmd:
            kind = "QPay sandbox"
        elif "locust" in cmd:
            kind = "locust (client)"
        elif cmd.startswith("postgres") or "postgres:" in cmd:
            kind = "postgres (all clusters)"
        elif "redis-server" in cmd:
            kind = "redis"
        else:
            kind = "other (rest of the machine)"
        kinds[kind] += secs
    return dict(kinds)


def wait_healthy(urls: list[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    for url in urls:
        while True:
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not become healthy")
            time.sleep(0.5)


def report(prefix: Path) -> list[dict]:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    say(f"   {'type':<44} {'n':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>7}")
    for r in rows:
        say(
            f"   {r['Name']:<44} {r['Request Count']:>7} {r['Failure Count']:>5} {r['50%']:>6} {r['95%']:>6} "
            f"{r['99%']:>6} {float(r['Requests/s']):>7.1f}"
        )
    return rows


def checks(url: str, since: int) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        overlaps = conn.execute(
            """
            SELECT count(*) FROM bookings a JOIN bookings b
              ON a.tattooist_id = b.tattooist_id AND a.id <> b.id
             AND tstzrange(a.slot, a.ends_at) && tstzrange(b.slot, b.ends_at)
             WHERE a.id > %s AND a.status = ANY(%s) AND b.status = ANY(%s) AND a.holds_slot AND b.holds_slot
            """,
            [since, list(ACTIVE), list(ACTIVE)],
        ).fetchone()[0]
        created, paid = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE payment_status = 'paid') FROM bookings WHERE id > %s",
            [since],
        ).fetchone()
        double_tx = conn.execute(
            """SELECT count(*) FROM (SELECT booking_id FROM transactions WHERE booking_id > %s AND status = 'paid'
                GROUP BY booking_id HAVING count(*) > 1) x""",
            [since],
        ).fetchone()[0]
        double_events = conn.execute(
            """SELECT count(*) FROM (SELECT e.booking_id FROM booking_events e JOIN bookings b ON b.id = e.booking_id
                WHERE b.id > %s AND e.to_payment_status = 'paid' GROUP BY e.booking_id HAVING count(*) > 1) x""",
            [since],
        ).fetchone()[0]
    return {
        "bookings created": created,
        "bookings paid": paid,
        "overlapping active bookings": overlaps,
        "bookings with two paid transactions": double_tx,
        "bookings credited twice (audit)": double_events,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--database", default="inkbook_scale")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--py-spy", type=int, default=0, help="seconds of py-spy on one web worker (0: none)")
    args = parser.parse_args(argv)
    if not (BENCH_VENV / "locust").exists():
        sys.exit("locust is missing: run `make bench-install` (installs bench/requirements.txt into .venv-bench)")
    OUT.mkdir(parents=True, exist_ok=True)
    header(f"load: {args.users} users, {args.seconds} s, database {args.database}, {args.instances} instance(s)")
    say(f"   load average before: {os.getloadavg()}")
    url = db_url(args.database)
    env = dict(os.environ, SERVE_DATABASE=args.database, SERVE_INSTANCES=str(args.instances))
    # The scenario's bookers are 10 % of the users, each booking and paying every few seconds under
    # one sign-in: far above the per-customer rates (BOOKING_CREATE_RATE 20/hour, PAYMENT_CREATE_RATE
    # 30/hour: abuse guards the suite tests), which would turn their requests into 429s. The load
    # run measures capacity, so it lifts them.
    for rate in ("BOOKING_CREATE_RATE", "PAYMENT_CREATE_RATE"):
        env.setdefault(rate, LOAD_RATE)
    serve_log = open(OUT / "serve.log", "w")  # noqa: SIM115
    (ROOT / ".data" / "serve.json").unlink(missing_ok=True)
    stack = subprocess.Popen(
        [sys.executable, "scripts/serve.py"], cwd=ROOT, env=env, stdout=serve_log, stderr=serve_log,
        start_new_session=True,
    )  # fmt: skip
    try:
        serve_json = ROOT / ".data" / "serve.json"
        for _ in range(180):  # serve.py writes it after migrate and collectstatic
            if serve_json.exists():
                break
            if stack.poll() is not None:
                sys.exit(f"scripts/serve.py exited; see {OUT / 'serve.log'}")
            time.sleep(1)
        serve = json.loads(serve_json.read_text())
        wait_healthy(serve["web"])
        plan_path = plan(url, serve)
        with psycopg.connect(url) as conn:  # the bookings written by this run are those above this id
            since = conn.execute("SELECT coalesce(max(id), 0) FROM bookings").fetchone()[0]
        prefix = OUT / f"{args.database}-{args.instances}x-{args.users}u"
        cpu_before = cpu_seconds()
        locust = subprocess.Popen(
            [
                str(BENCH_VENV / "locust"), "-f", "bench/locustfile.py", "--headless", "-u", str(args.users),
                "-r", str(args.spawn_rate), "-t", f"{args.seconds}s", "--csv", str(prefix), "--only-summary",
                "--host", serve["web"][0], "--stop-timeout", "10",
            ],
            cwd=ROOT, env=dict(os.environ, LOAD_PLAN=str(plan_path)), stdout=open(f"{prefix}.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        if args.py_spy:
            time.sleep(min(60, args.seconds / 3))
            web_pids = subprocess.run(
                ["pgrep", "-f", "gunicorn -c gunicorn.conf.py"], capture_output=True, text=True
            ).stdout.split()
            # the last one is a worker, not the master (workers are forked after it)
            subprocess.run(
                [str(BENCH_VENV / "py-spy"), "record", "-p", web_pids[-1], "-d", str(args.py_spy), "--format", "raw",
                 "-o", f"{prefix}-pyspy.txt", "--nonblocking"],
                capture_output=True,
            )  # fmt: skip
        _, _, usage = os.wait4(locust.pid, 0)  # its own CPU time: it is gone before cpu_seconds() looks
        cpu_after = cpu_seconds()
        cpu_after["locust (client)"] = cpu_before.get("locust (client)", 0) + usage.ru_utime + usage.ru_stime
        say(f"   load average after: {os.getloadavg()}")
        rows = report(prefix)
        total = next((r for r in rows if r["Name"] == "Aggregated"), None)
        if total:
            say(f"   throughput: {float(total['Requests/s']):.1f} req/s over {args.seconds} s")
        say("   CPU seconds during the run, by process kind:")
        for kind in sorted(cpu_after, key=lambda k: -(cpu_after[k] - cpu_before.get(k, 0))):
            used = cpu_after[kind] - cpu_before.get(kind, 0)
            if used > 0.5:
                say(f"     {kind:<30} {used:8.1f} s ({used / args.seconds:.2f} cores)")
        if args.py_spy and Path(f"{prefix}-pyspy.txt").exists():
            summarize_py_spy(Path(f"{prefix}-pyspy.txt"))
        result = checks(url, since)
        say(f"   checks: {result}")
        bad = result["overlapping active bookings"] or result["bookings with two paid transactions"] or result[
            "bookings credited twice (audit)"]  # fmt: skip
        fails = sum(int(r["Failure Count"]) for r in rows if r["Name"] != "Aggregated")
        return 1 if bad or fails else 0
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGTERM)  # honcho stops its processes
            try:
                stack.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(stack.pid, signal.SIGKILL)
        serve_log.close()


def summarize_py_spy(path: Path) -> None:
    """Top frames of a raw (collapsed) py-spy profile: where the web worker's samples sit."""
    inclusive: collections.Counter = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        seen = set()
        for frame in stack.split(";"):
            name = frame.split(" (")[0]
            key = name + " " + (frame.split("(")[-1].split(":")[0].replace(str(ROOT), "") if "(" in frame else "")
            if key not in seen:
                seen.add(key)
                inclusive[key] += n
    say(f"   py-spy, one web worker, {total} samples; frames by share of samples (inclusive):")
    for key, n in inclusive.most_common(40):
        say(f"     {n / total:6.1%}  {key[:110]}")


if __name__ == "__main__":
    sys.exit(main())
