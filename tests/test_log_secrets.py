"""The whole-suite log check (tattoo/testing/logcheck.py) can fail, and what it relies on holds."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings

from accounts.tests.factories import PASSWORD
from conftest import client_for
from tattoo.testing import logcheck

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxMjN9.c2lnbmF0dXJlLXBhcnQtaGVyZQ"


def test_the_checker_finds_a_jwt_a_password_and_a_configured_secret():
    secrets = logcheck.configured_secrets({"WORKER_SHARED_SECRET": "new-worker-secret-1,old-worker-secret-2"})
    lines = [
        f"INFO x token {JWT}",
        f"INFO x login with {PASSWORD}",
        "INFO x signed with old-worker-secret-2",
        "INFO x request method=GET path=/api/tattooists status=200",
    ]
    leaks = logcheck.find_leaks(lines, secrets)
    assert len(leaks) == 3
    assert "JWT" in leaks[0]


def test_the_checker_passes_redacted_lines():
    from tattoo.logging import redact

    lines = [redact(f"Authorization: Bearer {JWT}"), redact(f'{{"password": "{PASSWORD}"}}')]
    assert logcheck.find_leaks(lines, logcheck.configured_secrets({})) == []


def test_the_recorder_sees_this_processes_log_lines():
    marker = "log-recorder-marker-7f3a"
    logging.getLogger("inkbook.test").warning("marker %s", marker)
    assert any(marker in line for line in logcheck._handler.lines)


def test_the_recorder_applies_the_redaction_like_every_configured_handler():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact" in handler.get("filters", []), f"handler {name} has no redact filter"
    logging.getLogger("inkbook.test").warning("leaking %s", f"Bearer {JWT}")
    assert JWT not in logcheck._handler.lines[-1]


@pytest.mark.django_db
def test_a_login_and_an_authenticated_call_leave_no_secret_in_the_log(customer):
    before = len(logcheck._handler.lines)
    client = client_for(customer)
    assert client.get("/api/auth/me").status_code == 200
    client.post("/api/auth/login", {"email": customer.email, "password": PASSWORD}, format="json")
    client.post("/api/auth/login", {"email": customer.email, "password": "wrong-guess"}, format="json")
    lines = logcheck._handler.lines[before:]
    assert lines, "the requests were not logged at all"
    assert logcheck.find_leaks(lines, logcheck.configured_secrets()) == []
