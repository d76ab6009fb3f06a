#!/usr/bin/env python3
"""Backup drill: pg_dump the database, restore it into a scratch database and check the copy.

    python scripts/backup_check.py [DATABASE_URL]     (default: $DATABASE_URL)

Checks: pg_restore exits 0, every table's row count matches, the bookings exclusion constraint
and the btree_gist extension survive. Prints what it did; exits non-zero on any mismatch.
The scratch database is dropped afterwards. Uses the PostgreSQL client binaries of the server's
major version when they are installed (pg_dump refuses a newer server than itself).
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg


def client_bin(name: str, server_major: int) -> str:
    exact = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    if exact.exists():
        return str(exact)
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else name


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def main(url: str) -> int:
    parsed = urlparse(url)
    scratch = f"restore_check_{os.getpid()}_{int(time.time())}"
    scratch_url = urlunparse(parsed._replace(path=f"/{scratch}"))
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(url) as conn:
        major = conn.info.server_version // 10000
        source_counts = table_counts(conn)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "inkbook.dump"
        started = time.perf_counter()
        subprocess.run([client_bin("pg_dump", major), "-Fc", "--no-owner", "-f", str(dump), url], check=True)
        dumped = time.perf_counter() - started
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{scratch}"')
        try:
            started = time.perf_counter()
            subprocess.run(
                [client_bin("pg_restore", major), "--exit-on-error", "--no-owner", "-d", scratch_url, str(dump)],
                check=True,
            )
            restored = time.perf_counter() - started
            with psycopg.connect(scratch_url) as copy:
                copy_counts = table_counts(copy)
                exclusion = copy.execute(
                    "SELECT contype FROM pg_constraint WHERE conname = 'bookings_no_overlap'"
                ).fetchone()
                btree_gist = copy.execute("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'").fetchone()
        finally:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    problems = []
    if copy_counts != source_counts:
        diff = {
            t: (source_counts.get(t), copy_counts.get(t))
            for t in set(source_counts) | set(copy_counts)
            if source_counts.get(t) != copy_counts.get(t)
        }
        problems.append(f"row counts differ: {diff}")
    if not exclusion or exclusion[0] != "x":
        problems.append("exclusion constraint bookings_no_overlap missing after restore")
    if not btree_gist:
        problems.append("btree_gist extension missing after restore")
    print(
        f"backup check: {len(source_counts)} tables, {sum(source_counts.values())} rows; "
        f"pg_dump -Fc {dumped:.2f}s, pg_restore {restored:.2f}s"
    )
    for problem in problems:
        print(f"backup check FAILED: {problem}")
    if not problems:
        print("backup check OK: row counts match, bookings_no_overlap (exclusion) and btree_gist restored")
    return 1 if problems else 0


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DATABASE_URL", "")
    if not target:
        sys.exit("usage: backup_check.py DATABASE_URL (or set DATABASE_URL)")
    sys.exit(main(target))
