from __future__ import annotations

import pytest

from reviews.tests.factories import CompletedBookingFactory


@pytest.fixture
def completed(tattooist):
    """A session of the approved `tattooist`, two days ago, marked completed."""
    return CompletedBookingFactory(tattooist=tattooist)
