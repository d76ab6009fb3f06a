"""`--clock=ISO`: run a whole test process as if the wall clock read ISO when it started.

The date-sensitive modules (slots, bookings, reschedule, holds, reports, calendar) must pass on
any date, so CI (`make test-clocks`, scripts/test_clocks.sh) runs them again with the clock moved
to the instants where calendars go wrong: a Sunday night in Ulaanbaatar, both Europe/Berlin DST
weekends, New Year's Eve, 29 February. time-machine moves Python's clock for the whole process
(xdist workers included, since each runs pytest_configure), ticking from there, so code and tests
see a consistent "now"; tests that freeze their own clock nest inside it. PostgreSQL's clock is
not moved: the product computes every time on the Python side (timezone.now()), which is what
makes this run meaningful. Processes a test starts (the QPay worker and sandbox, the S3 server,
Chromium) keep the real clock, and the signatures and presigned URLs between them and the app
carry timestamps, so under `--clock` the tests that use them (their fixtures, or the `e2e` and
`browser` markers) are deselected; the plain `make test` run covers them on the real clock.
"""

from __future__ import annotations

import os
from datetime import datetime

import pytest
import time_machine


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get("TEST_CLOCK") or None,
        help="ISO 8601 instant with an offset: run the tests as if the clock started there (also TEST_CLOCK)",
    )


def _instant(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise pytest.UsageError(f"--clock={value!r} is not an ISO 8601 instant") from exc
    if moment.tzinfo is None:
        raise pytest.UsageError(f"--clock={value!r} needs an offset (e.g. +08:00 or Z)")
    return moment


def pytest_configure(config: pytest.Config) -> None:
    value = config.getoption("--clock")
    if value:
        traveller = time_machine.travel(_instant(value), tick=True)
        traveller.start()
        config.stash[_TRAVELLER] = traveller


# Fixtures that start a process of their own, on the real clock.
REAL_CLOCK_FIXTURES = frozenset(
    {"qpay_stack", "qpay_worker", "s3_server", "browser", "page", "live_stack", "job_workers", "mail_catcher"}
)
REAL_CLOCK_MARKERS = ("e2e", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--clock"):
        return
    kept, dropped = [], []
    for item in items:
        real_clock = REAL_CLOCK_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        real_clock = real_clock or any(item.get_closest_marker(m) for m in REAL_CLOCK_MARKERS)
        (dropped if real_clock else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    value = config.getoption("--clock")
    return f"clock: started at {_instant(value).isoformat()} (time-machine, ticking)" if value else None


_TRAVELLER = pytest.StashKey[time_machine.travel]()
