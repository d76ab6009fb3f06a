"""Production mail settings as a process reads them: the backend from the environment (SMTP, or a
provider through django-anymail), the provider's ANYMAIL_* variables, and a sender that must be
said outside DEBUG (docs/deploy.md "Mail")."""

from __future__ import annotations

import json

import pytest

from tattoo.tests.test_project import PRODUCTION_ENV, run_manage

# The development values scripts/devenv.py puts in this process's environment are not inherited.
MAIL_UNSET = dict.fromkeys(
    ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL"]
)
SENDER = "Inkbook <no-reply@inkbook.example.com>"

SHOW = (
    "import django, json; django.setup(); from django.conf import settings; "
    "from django.core.mail import get_connection; "
    "print(json.dumps({'backend': settings.EMAIL_BACKEND, 'anymail': settings.ANYMAIL, "
    "'from': settings.DEFAULT_FROM_EMAIL, 'connection': type(get_connection()).__module__}))"
)


def mail_settings(**overrides: str | None) -> dict:
    env = {**PRODUCTION_ENV, **MAIL_UNSET, "DJANGO_SETTINGS_MODULE": "tattoo.settings", **overrides}
    result = run_manage(env_overrides=env, argv=["-c", SHOW])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_provider_backend_and_its_anymail_settings_come_from_the_environment():
    shown = mail_settings(
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        ANYMAIL_POSTMARK_SERVER_TOKEN="test-server-token",
        DEFAULT_FROM_EMAIL=SENDER,
    )
    assert shown == {
        "backend": "anymail.backends.postmark.EmailBackend",
        "anymail": {"POSTMARK_SERVER_TOKEN": "test-server-token"},
        "from": SENDER,
        "connection": "anymail.backends.postmark",  # installed: the backend loads
    }


def test_smtp_is_the_default_backend():
    shown = mail_settings(EMAIL_HOST="smtp.example.com", DEFAULT_FROM_EMAIL=SENDER)
    assert shown["backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["anymail"] == {}


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend"}, "DEFAULT_FROM_EMAIL"),
        ({"EMAIL_HOST": "smtp.example.com"}, "DEFAULT_FROM_EMAIL"),
        ({"EMAIL_HOST": "smtp.example.com", "DEFAULT_FROM_EMAIL": "Inkbook"}, "DEFAULT_FROM_EMAIL"),
        ({"DEFAULT_FROM_EMAIL": SENDER}, "EMAIL_HOST"),
    ],
)
def test_production_without_a_sender_or_a_relay_refuses_to_start_naming_it(overrides, named):
    env = {**PRODUCTION_ENV, **MAIL_UNSET, **overrides}
    result = run_manage(env_overrides=env, argv=["-c", "import django; django.setup()"])
    assert result.returncode != 0, result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last
    assert named in last
