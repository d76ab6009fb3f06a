"""Tasks that exist only in the test workers (testing/worker_settings.py).

`gated_hold_expiry` is the product's hold expiry behind a gate: it records that it started, waits
until the test opens the gate (a file), then expires the hold. A test kills the worker while it
waits, so the job is mid-run when its worker dies. `tick` is a periodic job deferred every second
by every worker: the tests count its jobs per tick.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bookings.services.expiry import booking_expire_hold
from tattoo.core.jobs import app


@app.task(name="testing.gated_hold_expiry")
def gated_hold_expiry(booking_id: int, gate_dir: str) -> str:
    gate = Path(gate_dir)
    (gate / f"started-{os.getpid()}").touch()
    deadline = time.monotonic() + 120
    while not (gate / "open").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never opened the gate")
        time.sleep(0.05)
    return booking_expire_hold(booking_id=booking_id)


@app.periodic(cron="* * * * * *", periodic_id="tick")
@app.task(name="testing.tick")
def tick(timestamp: int) -> int:
    return timestamp
