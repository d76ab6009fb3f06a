"""Real threads against PostgreSQL: `hammer(fn, n)` releases n threads together (STYLE.md, Tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


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
