"""Booking create, Inkbook against django-appointment 3.12, in one run on the same PostgreSQL.

    make bench-peer      # or: python scripts/devenv.py --test -- python -m bench.create_vs_peer
                         #     [--rounds 4] [--batches 5] [--batch 20]

Inkbook: bench/create_inprocess.py (POST /api/bookings through Django's test client, JWT, one
thread). The peer: bench/peer_appointment.py with .venv-peer's Python (django-appointment from
PyPI, bench/peer_requirements.txt; its code is never committed here): its two-step booking
through its own views with the test client, signed in by session. Each on its own database of
the devenv PostgreSQL (vacuumed and analysed after seeding). Both processes start, warm up and
wait; then batches of BATCH creates alternate between them (bench/interleave.py), so a noisy
moment on the machine falls on both alike. Prints each round's p50 per side and their ratio,
then the p50 of all creates per side, the ratio of those, and the lowest and median round ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.common import ROOT, VENV_BIN, admin_url, header, say

PEER_VENV = ROOT / ".venv-peer" / "bin"
PEER_DB = "peer_appointment"


def start_ours(n: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "bench.create_inprocess", "--n", str(n), "--serve"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def start_peer(n: int) -> subprocess.Popen:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PEER_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PEER_DB}")
    url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{PEER_DB}"))
    return subprocess.Popen(
        [str(PEER_VENV / "python"), "bench/peer_appointment.py", url, str(n), "serve"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def read_json(proc: subprocess.Popen) -> dict:
    for line in proc.stdout:
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"{proc.args[:3]} ended (exit {proc.wait()}) without answering")


def run_batch(proc: subprocess.Popen, k: int) -> list[float]:
    proc.stdin.write(f"run {k}\n")
    proc.stdin.flush()
    return read_json(proc)["timings"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--batches", type=int, default=5, help="batches per side per round")
    parser.add_argument("--batch", type=int, default=20, help="creates per batch")
    args = parser.parse_args(argv)
    if not (PEER_VENV / "python").exists():
        sys.exit("the peer is missing: `make bench-peer` installs bench/peer_requirements.txt into .venv-peer")
    total = args.rounds * args.batches * args.batch
    header("booking create in-process: Inkbook vs django-appointment 3.12, interleaved")
    say(f"   load average: {os.getloadavg()}")
    ours = start_ours(total)
    ours_ready = read_json(ours)  # one at a time: the seeds and warm-ups do not overlap
    peer = start_peer(total)
    peer_ready = read_json(peer)
    sides = {"inkbook": ours, "peer": peer}
    every = {"inkbook": [], "peer": []}
    ratios = []
    try:
        for r in range(1, args.rounds + 1):
            this = {"inkbook": [], "peer": []}
            for b in range(args.batches):
                order = ("inkbook", "peer") if b % 2 == 0 else ("peer", "inkbook")
                for name in order:
                    this[name] += run_batch(sides[name], args.batch)
            p50 = {name: statistics.median(t) for name, t in this.items()}
            ratios.append(p50["peer"] / p50["inkbook"])
            say(
                f"   round {r}: inkbook p50 {p50['inkbook']:.2f} ms, peer p50 {p50['peer']:.2f} ms,"
                f" peer/inkbook {ratios[-1]:.2f}x"
            )
            for name in every:
                every[name] += this[name]
    finally:
        for proc in sides.values():
            proc.stdin.close()
            proc.wait(timeout=60)
    for name, ready in (("inkbook", ours_ready), ("peer", peer_ready)):
        t = sorted(every[name])
        say(
            f"   {ready['side']}: n {len(t)}, p50 {statistics.median(t):.2f} ms, p90 {t[int(0.9 * len(t))]:.2f} ms,"
            f" {ready['sql_per_create']} SQL statements per create"
        )
    overall = statistics.median(every["peer"]) / statistics.median(every["inkbook"])
    say(
        f"   peer/inkbook p50: {overall:.2f}x over all creates; per round lowest {min(ratios):.2f}x,"
        f" median {statistics.median(ratios):.2f}x"
    )
    say(f"   load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
