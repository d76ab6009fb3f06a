"""Real races against PostgreSQL: `hammer(fn, n)` releases n threads together (STYLE.md, Tests);
`lose_a_write_race` makes a transaction lose a write race (a real serialization failure);
`await_lock_wait` returns once another session waits for a row lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections


def hammer(fn: Callable[[int], Any], n: int = 20, timeout: float = 60.0) -> list[Any]:
    """Run fn(i) in n threads released together; return each result or exception class name."""
    barrier = threading.Barrier(n)
    out: list[Any] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            result = fn(i)
        except Exception as exc:  # recorded, never swallowed silently
            result = type(exc).__name__
        finally:
            connection.close()
        with lock:
            out.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert len(out) == n, f"only {len(out)} of {n} threads finished"
    return out


def lose_a_write_race(*, key: str) -> None:
    """Make the caller's transaction lose a write race for real (PostgreSQL answers 40001, raised
    as Django's OperationalError): at REPEATABLE READ it reads the cache_versions row `key`, a
    second connection updates and commits that row, then the caller updates it too.

    Call it first inside `transaction.atomic()` of a `transaction=True` test (the isolation level
    is set by the transaction's first statement, and the other connection must see the row)."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT version FROM cache_versions WHERE key = %s", [key])
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as winner:
                winner.execute("UPDATE cache_versions SET version = version + 1 WHERE key = %s", [key])
        finally:
            other.close()
        cursor.execute("UPDATE cache_versions SET version = version + 1 WHERE key = %s", [key])
    raise AssertionError("PostgreSQL let the second update through")


def await_lock_wait(*, pid: int | None = None, timeout: float = 10.0, what: str = "a session") -> None:
    """Return once the session `pid` (or any session of this database) waits for a lock; fail after
    `timeout` s. Watched from a connection of its own: inside a transaction, pg_stat_activity is a
    snapshot taken once."""
    sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    params: list[int] = []
    if pid is not None:
        sql += " AND pid = %s"
        params.append(pid)
    watcher = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        deadline = time.monotonic() + timeout
        while True:
            with watcher.cursor() as cursor:
                cursor.execute(sql, params)
                if cursor.fetchone()[0]:
                    return
            assert time.monotonic() < deadline, f"{what} never waited for a lock"
            time.sleep(0.01)
    finally:
        watcher.close()
