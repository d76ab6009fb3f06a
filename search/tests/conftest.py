from __future__ import annotations

import pytest
import time_machine

from bookings.tests.helpers import NOW


@pytest.fixture
def frozen():
    """Freeze the clock at NOW (Python-side `timezone.now()`, which is what the slot rule reads)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
