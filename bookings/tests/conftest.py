from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from bookings.models import Availability

# A Monday; 08:00 in Ulaanbaatar (UTC+8).
NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    """Freeze the clock at NOW (Python-side `timezone.now()`, which is what the services use)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def open_every_day(tattooist, start: time = time(10), end: time = time(18)) -> None:
    Availability.objects.bulk_create(
        [Availability(tattooist=tattooist, day=d, start_time=start, end_time=end) for d in range(7)]
    )


@pytest.fixture
def open_artist(tattooist):
    """The approved `tattooist` (Asia/Ulaanbaatar, 120-minute sessions) open 10:00-18:00 every day."""
    open_every_day(tattooist)
    return tattooist
