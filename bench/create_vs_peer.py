"""Booking create, Inkbook against django-appointment 3.12, in one run on the same PostgreSQL.

    make bench-peer      # or: python scripts/devenv.py --test -- python -m bench.create_vs_peer [--n 200] [--rounds 2]

Inkbook: bench/create_inprocess.py (POST /api/bookings through Django's test client, JWT, one
thread). The peer: bench/peer_appointment.py with .venv-peer's Python (django-appointment from
PyPI, bench/peer_requirements.txt; its code is never committed here): its two-step booking
through its own views with the test client, signed in by session. Both on their own database of
the devenv PostgreSQL, alternating ROUNDS times so a busy machine hurts both alike; prints each
round's p50 and SQL count and the ratio within each round.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.common import ROOT, VENV_BIN, admin_url, header, say

PEER_VENV = ROOT / ".venv-peer" / "bin"
PEER_DB = "peer_appointment"


def last_json(out: str) -> dict:
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no result in:\n{out[-2000:]}")


def run_ours(n: int) -> dict:
    out = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "bench.create_inprocess", "--n", str(n), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return last_json(out.stdout)


def run_peer(n: int) -> dict:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PEER_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PEER_DB}")
    url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{PEER_DB}"))
    out = subprocess.run(
        [str(PEER_VENV / "python"), "bench/peer_appointment.py", url, str(n)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return last_json(out.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if not (PEER_VENV / "python").exists():
        sys.exit("the peer is missing: `make bench-peer` installs bench/peer_requirements.txt into .venv-peer")
    header("booking create in-process: Inkbook vs django-appointment 3.12")
    say(f"   load average: {os.getloadavg()}")
    for r in range(1, args.rounds + 1):
        ours, peer = run_ours(args.n), run_peer(args.n)
        say(f"   round {r}: {json.dumps(ours)}")
        say(f"   round {r}: {json.dumps(peer)}")
        say(f"   round {r}: peer/inkbook p50 = {peer['p50_ms'] / ours['p50_ms']:.2f}x")
    say(f"   load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
