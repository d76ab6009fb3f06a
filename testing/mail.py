"""pytest plugin: the local mail catcher (maildev, the Procfile's `mail:` process) for tests that
check delivery over real SMTP (docs/notifications.md).

``mail_catcher`` starts the Procfile's command on free loopback ports and reads what arrived over
its JSON API (``GET /api/email``). Job workers started with ``mail_catcher.worker_env()`` send
their mail there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from testing.s3 import free_port

ROOT = Path(__file__).resolve().parent.parent


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"the Procfile has no {name}: process")


@dataclass
class MailCatcher:
    proc: subprocess.Popen
    smtp_port: int
    ui_port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"

    def worker_env(self) -> dict[str, str]:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "EMAIL_USE_TLS": "false",
        }

    def messages(self) -> list[dict]:
        with urllib.request.urlopen(f"{self.url}/api/email", timeout=5) as response:
            return json.loads(response.read())

    def source(self, message: dict) -> str:
        """The raw message as it arrived (RFC 5322: every header, every MIME part)."""
        with urllib.request.urlopen(f"{self.url}/api/email/{message['id']}/source", timeout=5) as response:
            return response.read().decode(errors="replace")

    def wait_for(self, predicate, *, count: int = 1, timeout: float = 30) -> list[dict]:
        """The messages matching `predicate` once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages() if predicate(m)]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, (
                    f"expected {count} mail(s), got {len(found)}: {[m.get('subject') for m in self.messages()]}"
                )
                return found
            time.sleep(0.2)

    @staticmethod
    def to(message: dict) -> list[str]:
        return [a["address"] for a in message.get("to", [])]

    @staticmethod
    def token(message: dict, path: str) -> str:
        match = re.search(re.escape(path) + r"\?token=([^\s\"<&]+)", message.get("text") or "")
        assert match, f"no {path} link in {message.get('subject')!r}"
        return match.group(1)


@pytest.fixture
def mail_catcher():
    smtp_port, ui_port = free_port(), free_port()
    command = procfile_command("mail")
    env = dict(os.environ, MAIL_PORT=str(smtp_port), MAIL_UI_PORT=str(ui_port))
    proc = subprocess.Popen(
        ["bash", "-c", f"exec {command}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    catcher = MailCatcher(proc=proc, smtp_port=smtp_port, ui_port=ui_port)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{catcher.url}/api/healthz", timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("maildev did not start (make install runs npm ci)") from None
            time.sleep(0.2)
    yield catcher
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
