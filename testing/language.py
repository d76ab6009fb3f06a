"""pytest plugin: the suite's HTTP clients speak English unless a test says otherwise.

The product answers in Mongolian when a request names no language (settings.LANGUAGE_CODE, docs/
i18n.md). Most tests assert English texts, so Django's test clients (Client, APIClient and their
RequestFactory) send `Accept-Language: en` by default; a test of the language choice passes its own
header (`HTTP_ACCEPT_LANGUAGE="mn"`, `headers={"Accept-Language": ...}`), or `HTTP_ACCEPT_LANGUAGE=None`
to send none (the `language_neutral_client` fixture). Browser contexts get their
locale in testing/browser.py; process-level tests over HTTP send what they choose.

Code a test runs outside a request (a template rendered with render_to_string, a message built
by a service) reads English too: each test runs under `translation.override("en")`; a request
activates its own language, and a test of Mongolian outside a request uses
`translation.override("mn")`.

Mails are written in the recipient's saved language (notifications.services.recipient_language);
a recipient who has none gets English in tests, as pages do. A test of a Mongolian mail gives its
recipient `language = "mn"`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test.client import RequestFactory

DEFAULT_TEST_LANGUAGE = "en"
_original_base_environ = RequestFactory._base_environ


def _base_environ(self, **request):
    environ = _original_base_environ(self, **request)
    if "HTTP_ACCEPT_LANGUAGE" not in request and "HTTP_ACCEPT_LANGUAGE" not in self.defaults:
        environ["HTTP_ACCEPT_LANGUAGE"] = DEFAULT_TEST_LANGUAGE
    elif environ.get("HTTP_ACCEPT_LANGUAGE") is None:
        environ.pop("HTTP_ACCEPT_LANGUAGE", None)  # HTTP_ACCEPT_LANGUAGE=None: send no header at all
    return environ


LOCALE = Path(__file__).resolve().parents[1] / "locale"


def compile_catalogues() -> None:
    """Build each locale/*/LC_MESSAGES/*.mo that is missing or older than its .po, as `make
    messages` does, so a bare `pytest` run reads the same catalogues. Written to a temporary file
    and renamed: xdist workers may do it at the same time."""
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".tmp.mo")  # *.mo: ignored by git
        os.close(fd)
        try:
            subprocess.run(["msgfmt", "--check-format", "-o", tmp, str(po)], check=True)
            os.replace(tmp, mo)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def pytest_configure(config):
    compile_catalogues()
    RequestFactory._base_environ = _base_environ


def pytest_unconfigure(config):
    RequestFactory._base_environ = _original_base_environ


@pytest.fixture(autouse=True)
def _english_outside_requests():
    from django.utils import translation

    with translation.override(DEFAULT_TEST_LANGUAGE):
        yield


def speaking(user, language: str):
    """`user` with `language` saved where accounts keep one (User.language, docs/i18n.md: a signed-in
    user's saved language outranks Accept-Language), so a test of a signed-in page in a given
    language gets it. Returns the user."""
    if any(f.name == "language" for f in type(user)._meta.get_fields()):
        user.language = language
        user.save(update_fields=["language"])
    return user


@pytest.fixture(autouse=True)
def _mails_speak_english_unless_the_recipient_chose(monkeypatch):
    from notifications import services

    monkeypatch.setattr(
        services, "recipient_language", lambda user: getattr(user, "language", "") or DEFAULT_TEST_LANGUAGE
    )


@pytest.fixture
def language_neutral_client():
    """A page client that names no language (the product's default applies)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE=None)
