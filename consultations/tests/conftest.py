"""Custom work's fixtures: an artist who takes requests (open 10:00-18:00 every day) and the
parties' API clients. The flows driven over HTTP (request, quote, accept, the deposit paid through
the worker's signed notification) are in consultations/tests/helpers.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from accounts.tests.factories import TattooistFactory
from bookings.tests.helpers import open_every_day
from testing.clients import client_for

# A Monday; 08:00 in Ulaanbaatar.
NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def artist(db):
    """An approved artist taking both direct bookings and requests (Ulaanbaatar, 21 heal days)."""
    artist = TattooistFactory(booking_mode="both")
    open_every_day(artist)
    return artist


@pytest.fixture
def customer_api(customer):
    return client_for(customer)


@pytest.fixture
def artist_api(artist):
    return client_for(artist.user)
