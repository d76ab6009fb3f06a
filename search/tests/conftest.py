from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from bookings.models import Availability

# A Monday; 08:00 in Ulaanbaatar (UTC+8).
NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    """Freeze the clock at NOW (Python-side `timezone.now()`, which is what the slot rule reads)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def open_days(tattooist, days=range(7), start: time = time(10), end: time = time(18)) -> None:
    Availability.objects.bulk_create(
        [Availability(tattooist=tattooist, day=d, start_time=start, end_time=end) for d in days]
    )


def listed(client, **params) -> list[int]:
    """The ids GET /api/tattooists answers, in order (one page of up to 100)."""
    response = client.get("/api/tattooists", {"pageSize": 100, **params})
    assert response.status_code == 200, response.json()
    return [artist["id"] for artist in response.json()["results"]]
