"""The whole-suite log check (testing/logcheck.py) can fail, and what it relies on holds."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings

from accounts.tests.factories import PASSWORD
from testing import logcheck
from testing.clients import client_for

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxMjN9.c2lnbmF0dXJlLXBhcnQtaGVyZQ"


def test_the_checker_finds_a_jwt_a_password_and_a_configured_secret():
    secrets = logcheck.configured_secrets({"WEB_TO_WORKER_SECRET": "new-worker-secret-1,old-worker-secret-2"})
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
    from tattoo.core.logging import redact

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


def test_the_checker_finds_a_callback_token_in_clear_but_not_a_redacted_one():
    lines = [
        "[worker] INFO qpay_worker request method=POST path=/worker/qpay/webhook/T12/abcDEF123xyz status=200",
        "[worker] INFO qpay_worker request method=POST path=/worker/qpay/webhook/T12/[redacted] status=200",
    ]
    leaks = logcheck.find_leaks(lines, [])
    assert len(leaks) == 1
    assert "callback token" in leaks[0]


@pytest.mark.e2e
def test_the_worker_processes_output_is_searched_and_carries_the_callback_path_redacted(qpay_worker):
    import requests

    from qpay_worker.app import callback_token
    from testing.qpay_worker import OUTPUT, wait_for

    ref = "T424242"
    token = callback_token(qpay_worker.callback_secret, ref)
    requests.post(qpay_worker.callback_url(ref), json={}, timeout=10)
    line = wait_for(lambda: next((x for x in logcheck.all_lines() if f"/webhook/{ref}/" in x), None), timeout=10)
    assert line.startswith("[worker] ")
    assert f"/webhook/{ref}/[redacted]" in line
    assert not any(token in x for x in OUTPUT)
    assert qpay_worker.callback_secret in logcheck.subprocess_secrets()
    assert set(qpay_worker.to_worker_secrets + qpay_worker.to_web_secrets) <= set(logcheck.subprocess_secrets())


@pytest.mark.parametrize(
    ("leak", "expected"),
    [
        ('logging.getLogger("inkbook.x").warning("paid with leaky-client-secret-value-77")', "secret lea"),
        (
            "from testing import qpay_worker as testing\n"
            '    testing.OUTPUT.append("[worker] INFO request path=/worker/qpay/webhook/T1/tok3n status=200")',
            "callback token in",
        ),
        ("pass", None),
    ],
)
def test_a_leak_anywhere_fails_the_whole_run(tmp_path, leak, expected):
    """The plugin itself, in a separate pytest run: a leaked secret in this process's log or in a
    worker's output turns a green run red; a clean run stays green."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_leaky.py").write_text(f"import logging\n\n\ndef test_logs():\n    {leak}\n")
    env = dict(os.environ, PYTHONPATH=str(root), QPAY_CLIENT_SECRET="leaky-client-secret-value-77")
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "testing.logcheck", "-p", "no:django", "-p", "no:xdist"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if expected is None:
        assert result.returncode == 0, result.stdout + result.stderr
        return
    assert result.returncode != 0, result.stdout
    assert "LOG LINES LEAK SECRETS" in result.stdout
    assert expected in result.stdout


def test_the_checker_finds_a_calendar_token_in_clear_but_not_a_redacted_one():
    lines = [
        "INFO inkbook.request request method=GET path=/calendar/Zx8_secret-Token1.ics status=200",
        "INFO inkbook.request request method=GET path=/calendar/[redacted].ics status=200",
        "INFO inkbook.request request method=POST path=/dashboard/calendar/rotate/ status=302",
    ]
    leaks = logcheck.find_leaks(lines, [])
    assert len(leaks) == 1
    assert "calendar token" in leaks[0]


@pytest.mark.django_db
def test_the_calendar_feed_request_is_logged_without_its_token(tattooist):
    from django.test import Client

    token = tattooist.user.calendar_token
    before = len(logcheck._handler.lines)
    assert Client().get(f"/calendar/{token}.ics").status_code == 200
    assert Client().get("/calendar/a-wrong-guess-of-the-token.ics").status_code == 404
    lines = [line for line in logcheck._handler.lines[before:] if "inkbook.request" in line]
    assert len(lines) == 2
    assert all("path=/calendar/[redacted].ics" in line for line in lines), lines
    assert not any(token in line or "a-wrong-guess" in line for line in logcheck._handler.lines[before:])
