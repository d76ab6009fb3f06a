"""Shared fixtures: API clients and the role fixtures every app's tests use. Helpers that tests
import live in testing/ (testing/clients.py, testing/races.py), never here."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import AdminFactory, CustomerFactory, TattooistFactory

# Plugins: the real local S3 server (testing/s3.py), Playwright + Chromium
# (testing/browser.py), the QPay sandbox + worker processes (testing/qpay.py), and the
# whole-suite check that no log line leaks a secret (testing/logcheck.py); transactional tests'
# tables emptied with DELETE (testing/flush.py); under xdist the workers' test databases copied
# from one migrated template (testing/dbtemplate.py); the garbage collector tuned for a long run
# (testing/gc_tuning.py); the long tests started first (testing/long_first.py).
pytest_plugins = [
    "testing.s3",
    "testing.browser",
    "testing.qpay",
    "testing.jobs",
    "testing.logcheck",
    "testing.clock",
    "testing.mail",
    "testing.language",
    "testing.flush",
    "testing.dbtemplate",
    "testing.gc_tuning",
    "testing.long_first",
]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    # Rolled-back test transactions take their cache versions with them, so rendered public
    # answers keyed by an old version (tattoo/core/http_cache.py) must not outlive the test that made them.
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _connection_age_restarts():
    """Each test sees its process's database connection as fresh. The test connection lives for
    the whole session, so without this it passes CONN_MAX_AGE after a minute and Django closes it
    at the end of the next request: what a test sees would depend on how long earlier tests took."""
    if connection.connection is not None and connection.settings_dict.get("CONN_MAX_AGE"):
        connection.close_at = time.monotonic() + connection.settings_dict["CONN_MAX_AGE"]


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def other_customer(db):
    return CustomerFactory()


@pytest.fixture
def tattooist(db):
    """An approved artist (the Tattooist profile; its user is `.user`)."""
    return TattooistFactory(approved=True)


@pytest.fixture
def other_tattooist(db):
    return TattooistFactory(approved=True)


@pytest.fixture
def outsider(db):
    return CustomerFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()
