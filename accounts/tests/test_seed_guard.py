"""`manage.py seed` makes a staff account: outside DEBUG never with the README's published password
and TOTP secret (docs/security.md)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tattoo.site.management.commands.seed import DEFAULTS

pytestmark = pytest.mark.django_db

EXPLICIT = {
    "SEED_ADMIN_EMAIL": "ops@studio.example",
    "SEED_ADMIN_PASSWORD": "a-long-secret-9-ops-only",
    "SEED_ADMIN_TOTP_KEY": "0f" * 20,
    "SEED_ARTIST_EMAIL": "first-artist@studio.example",
    "SEED_ARTIST_PASSWORD": "a-long-secret-9-artist",
    "SEED_CUSTOMER_EMAIL": "first-customer@studio.example",
    "SEED_CUSTOMER_PASSWORD": "a-long-secret-9-customer",
}


@pytest.fixture
def production(settings, monkeypatch):
    settings.DEBUG = False
    for name in DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_it_refuses_to_seed_outside_debug(production):
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed", stdout=io.StringIO())
    assert not User.objects.exists()


def test_allow_production_still_refuses_the_published_credentials(production):
    with pytest.raises(CommandError, match="SEED_ADMIN_PASSWORD"):
        call_command("seed", "--allow-production", stdout=io.StringIO())
    for name, value in EXPLICIT.items():
        production.setenv(name, value)
    production.setenv("SEED_ADMIN_TOTP_KEY", DEFAULTS["SEED_ADMIN_TOTP_KEY"])  # the README's secret
    with pytest.raises(CommandError, match="SEED_ADMIN_TOTP_KEY"):
        call_command("seed", "--allow-production", stdout=io.StringIO())
    assert not User.objects.exists()


def test_allow_production_with_explicit_credentials_seeds_and_prints_no_password(production):
    for name, value in EXPLICIT.items():
        production.setenv(name, value)
    out = io.StringIO()
    call_command("seed", "--allow-production", stdout=out)
    staff = User.objects.get(email=EXPLICIT["SEED_ADMIN_EMAIL"])
    assert staff.is_staff
    assert staff.check_password(EXPLICIT["SEED_ADMIN_PASSWORD"])
    assert not staff.check_password(DEFAULTS["SEED_ADMIN_PASSWORD"])
    assert not User.objects.filter(email=DEFAULTS["SEED_ADMIN_EMAIL"]).exists()
    assert all(value not in out.getvalue() for name, value in EXPLICIT.items() if "PASSWORD" in name)
    assert "totp_code" not in out.getvalue()


def test_debug_still_seeds_the_demo_accounts(settings, monkeypatch):
    settings.DEBUG = True
    for name in DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    call_command("seed", stdout=io.StringIO())
    assert User.objects.get(email=DEFAULTS["SEED_ADMIN_EMAIL"]).check_password(DEFAULTS["SEED_ADMIN_PASSWORD"])
