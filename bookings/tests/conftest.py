from __future__ import annotations

import pytest
import time_machine

from bookings.tests.helpers import NOW, open_every_day


@pytest.fixture
def frozen():
    """Freeze the clock at NOW (Python-side `timezone.now()`, which is what the services use)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def open_artist(tattooist):
    """The approved `tattooist` (Asia/Ulaanbaatar, 120-minute sessions) open 10:00-18:00 every day."""
    open_every_day(tattooist)
    return tattooist
