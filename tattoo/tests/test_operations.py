"""Operations: backups restore, request logs are structured and carry no secrets."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.tests.factories import PASSWORD, CustomerFactory

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_a_seeded_database_restores_with_the_exclusion_constraint(settings):
    settings.DEBUG = True  # the demo seed
    call_command("seed")
    result = subprocess.run(
        [sys.executable, "scripts/backup_check.py", database_url()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "backup check OK" in result.stdout
    assert "bookings_no_overlap" in result.stdout


@pytest.mark.django_db
def test_each_request_logs_one_structured_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="inkbook.request"):
        client.get("/healthz?token=should-not-appear")
    lines = [r.getMessage() for r in caplog.records if r.name == "inkbook.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("request method=GET path=/healthz status=200 duration_ms=")
    assert line.endswith("user_id=-")
    assert "should-not-appear" not in line


@pytest.mark.django_db
def test_the_request_log_names_the_api_user_but_never_the_token(client, caplog):
    user = CustomerFactory()
    tokens = client.post(
        "/api/auth/login", {"email": user.email, "password": PASSWORD}, content_type="application/json"
    ).json()
    with caplog.at_level(logging.DEBUG):
        client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "path=/api/auth/me status=200" in text
    assert f"user_id={user.pk}" in text
    assert tokens["access"] not in text
    assert PASSWORD not in text


def test_the_redaction_filter_scrubs_tokens_and_callback_secrets():
    from tattoo.core.logging import redact

    jwt_like = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiMSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    assert jwt_like not in redact(f"token {jwt_like}")
    assert "s3cr3t" not in redact("Authorization: Bearer s3cr3t")
    assert "hunter22" not in redact('{"password": "hunter22"}')
    assert "abcdef123" not in redact("GET /worker/qpay/webhook/42/abcdef123?qpay_payment_id=1")


def test_runserver_request_lines_never_bypass_the_redacting_handler():
    # runserver logs 4xx request lines (with their query strings) on django.server; they repeat
    # inkbook.request, so only its errors pass, and they propagate to the redacting root handler.
    server = logging.getLogger("django.server")
    assert server.propagate
    assert not server.isEnabledFor(logging.WARNING)
    django_logger = logging.getLogger("django")
    assert django_logger.handlers == [], "a second handler on 'django' prints every line twice"
