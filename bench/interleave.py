"""The interleaved timing protocol of bench/create_vs_peer.py, shared by both sides (standard
library only: the peer's side runs with .venv-peer's Python, as `bench/peer_appointment.py`).

Each side prepares its data, warms up, then says it is ready (one JSON line with its SQL count) and
waits. For each `run K` line on stdin it times its next K creates and prints their times (ms) as
one JSON line. The driver alternates small batches between the sides, so a noisy minute on the
machine falls on both alike instead of on whichever side was running then.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable


def serve(
    create: Callable[[int], bool],
    *,
    first: int,
    total: int,
    side: str,
    sql: int,
    untimed: Callable[[int], object] | None = None,
) -> int:
    """Say ready, then time `run K` batches of create(i) for i = first, first + 1, ... (at most
    `total`); create returns whether it succeeded (a failure ends the side loudly). untimed(i), if
    given, runs before each create outside its time (the peer's session sign-in)."""
    print(json.dumps({"side": side, "sql_per_create": sql, "ready": True}), flush=True)
    i = first
    for line in sys.stdin:
        k = int(line.split()[1])
        if i + k > first + total:
            sys.exit(f"asked for more than the {total} creates prepared")
        timings = []
        for _ in range(k):
            if untimed is not None:
                untimed(i)
            t0 = time.perf_counter()
            ok = create(i)
            timings.append((time.perf_counter() - t0) * 1000)
            if not ok:
                sys.exit(f"create {i} failed")
            i += 1
        print(json.dumps({"timings": timings}), flush=True)
    return 0
