"""Security headers on pages and API answers, HTTPS protections in production settings, and
cache headers that keep authenticated API answers out of shared caches (docs/reliability.md A12)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from accounts.tests.factories import PASSWORD
from testing.clients import client_for

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db

PRODUCTION_KEYS = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "DEBUG",
]


def production_settings() -> dict:
    """tattoo/settings.py as production reads it (DEBUG off, HTTPS on), in a fresh interpreter."""
    env = {**os.environ, "DEBUG": "false", "HTTPS": "true", "ALLOWED_HOSTS": "inkbook.example"}
    env.pop("SECURE_HSTS_SECONDS", None)
    env.pop("SECURE_SSL_REDIRECT", None)
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tattoo.settings'; django.setup(); "
        "from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {PRODUCTION_KEYS!r}}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def prod():
    return production_settings()


def test_production_turns_on_hsts_redirects_and_secure_cookies(prod):
    assert prod["DEBUG"] is False
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert prod["SECURE_SSL_REDIRECT"] is True
    assert prod["SESSION_COOKIE_SECURE"] is True
    assert prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_HTTPONLY"] is True


def test_https_answers_carry_hsts_and_the_cookies_are_secure(prod, client, customer):
    keys = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"]
    with override_settings(**{k: prod[k] for k in keys}):
        page = client.get("/login/", secure=True)
        assert page.status_code == 200
        assert page["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")
        assert page.cookies["csrftoken"]["secure"] is True
        api = client.get("/api/tattooists", secure=True)
        assert "max-age=31536000" in api["Strict-Transport-Security"]
        token = page.cookies["csrftoken"].value
        login = client.post(
            "/login/", {"email": customer.email, "password": PASSWORD, "csrfmiddlewaretoken": token}, secure=True
        )
        assert login.status_code == 302
        session = login.cookies["sessionid"]
        assert session["secure"] is True
        assert session["httponly"] is True
        assert session["samesite"] == "Lax"


def _csp(response) -> dict[str, list[str]]:
    return {
        part.strip().split()[0]: part.strip().split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }


@pytest.mark.parametrize("path", ["/", "/api/tattooists", "/api/no-such-endpoint", "/no/such/page/"])
def test_pages_api_answers_and_404s_carry_the_security_headers(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = _csp(response)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    for directive in ("script-src", "default-src"):
        assert "'unsafe-inline'" not in csp[directive]
        assert "'unsafe-eval'" not in csp[directive]


def test_an_authenticated_api_answer_is_private_and_not_stored(customer, tattooist):
    client = client_for(customer)
    for path in ["/api/auth/me", "/api/bookings", f"/api/portfolio/{tattooist.pk}", "/api/tattooists"]:
        response = client.get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store", path
    refused = client.get("/api/admin/bookings")
    assert refused.status_code == 403
    assert refused["Cache-Control"] == "private, no-store"


def test_a_session_authenticated_api_answer_is_private_too(client, customer):
    client.force_login(customer)
    response = client.get("/api/auth/me")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_anonymous_public_reads_are_public_and_revalidated(api_client, tattooist):
    for path in ["/api/tattooists", f"/api/portfolio/{tattooist.pk}", f"/api/availability/{tattooist.pk}"]:
        response = api_client.get(path)
        assert response["Cache-Control"].startswith("public, max-age="), path
        assert response.has_header("ETag")
        assert "Authorization" in response["Vary"]


def test_a_token_answer_is_never_cacheable(api_client, customer):
    response = api_client.post("/api/auth/login", {"email": customer.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_anonymous_read_that_is_not_cached_is_not_stored_either(api_client, tattooist):
    response = api_client.get(f"/api/tattooists/{tattooist.pk}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
