"""Shared fixtures: API clients and the role fixtures every app's tests use."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import AdminFactory, CustomerFactory, TattooistFactory

# Plugins: the real local S3 server (testing/s3.py), Playwright + Chromium
# (testing/browser.py), the QPay sandbox + worker processes (testing/qpay.py), and the
# whole-suite check that no log line leaks a secret (testing/logcheck.py).
pytest_plugins = [
    "testing.s3",
    "testing.browser",
    "testing.qpay",
    "testing.jobs",
    "testing.logcheck",
    "testing.clock",
    "testing.mail",
    "testing.language",
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


def client_for(user) -> APIClient:
    """An APIClient authenticated with a real access token for `user`."""
    from accounts import mfa
    from accounts.tokens import tokens_for_user

    client = APIClient()
    # Staff tokens carry the second factor, as POST /api/auth/login with `otp` issues them.
    access = tokens_for_user(user, otp_verified=mfa.requires_otp(user))["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def staff_login(client, user):
    """Log `user` (staff) into a Django test client with a verified second factor, as the admin's
    login form with a TOTP code would (accounts/mfa.py). Returns the user's TOTP device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import mfa

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or mfa.enrol(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


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


def hammer(fn, n: int = 20, timeout: float = 60.0) -> list:
    """Run fn(i) in n threads released together; return each result or exception class name."""
    barrier = threading.Barrier(n)
    out: list = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            result = fn(i)
        except Exception as exc:  # recorded, never swallowed silently
            result = type(exc).__name__
        finally:
            connection.close()
        with lock:
            out.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert len(out) == n, f"only {len(out)} of {n} threads finished"
    return out
