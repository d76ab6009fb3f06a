"""Helpers the tests of several apps share: the frozen clock's instant and artists' weekly hours
(imported, not fixtures: a conftest is pytest's to load)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time
from typing import Any

from bookings.models import Availability

# A Monday; 08:00 in Ulaanbaatar (UTC+8).
NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


def open_every_day(
    tattooist: Any, start: time = time(10), end: time = time(18), days: Iterable[int] = range(7)
) -> None:
    """Weekly hours [start, end) on each of `days` (0 = Sunday), every day by default."""
    Availability.objects.bulk_create(
        [Availability(tattooist=tattooist, day=d, start_time=start, end_time=end) for d in days]
    )
