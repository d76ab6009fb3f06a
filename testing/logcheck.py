"""Whole-suite log check (docs/reliability.md A15): no log line carries a secret.

A handler on the root logger records every formatted message of the test run, with the same
redaction filter every configured handler has (the test below in tests/test_log_secrets.py
asserts that). At the end each process (each xdist worker, or the only process) searches its
own records for JWTs, the known test passwords and the configured secrets (worker shared
secrets, QPay client and callback secrets, SECRET_KEY, JWT signing key); a leak fails the run
with the offending lines. The output of the QPay worker and sandbox processes the tests start
(testing/qpay_worker.py keeps it, at INFO level, with the secrets they were given) and of any
process a test hands over with record_output() is searched too, also for callback paths whose
token is not redacted, and for calendar feed paths (/calendar/<token>.ics) in clear.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
# A QPay callback path with its per-invoice token in clear (the worker logs it as [redacted]).
CALLBACK_TOKEN = re.compile(r"/webhook/[^/\s?]+/(?!\[redacted\])[^/\s?]+")
# An artist's calendar feed path with its secret token in clear (logged as /calendar/[redacted].ics).
CALENDAR_TOKEN = re.compile(r"/calendar/(?!\[redacted\]\.ics)[^/\s?]+\.ics")
KNOWN_TEST_PASSWORDS = (
    "correct horse battery",
    "a-long-enough-pass",
    "a-brand-new-secret",
    "a-long-secret-9",
    "hunter22",
)
SECRET_ENV = (
    "WEB_TO_WORKER_SECRET",
    "WORKER_TO_WEB_SECRET",
    "QPAY_CLIENT_SECRET",
    "SANDBOX_CLIENT_SECRET",
    "QPAY_CALLBACK_SECRET",
    "SECRET_KEY",
    "JWT_SIGNING_KEY",
    "S3_SECRET_ACCESS_KEY",
)


def configured_secrets(environ: dict[str, str] | None = None) -> list[str]:
    environ = os.environ if environ is None else environ
    values: list[str] = list(KNOWN_TEST_PASSWORDS)
    for name in SECRET_ENV:
        for part in (environ.get(name) or "").split(","):
            # short values (e.g. "dev") would match ordinary words; real secrets are long
            if len(part.strip()) >= 8:
                values.append(part.strip())
    return values


def find_leaks(lines: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """Every line that contains a JWT or one of `secrets`, with what it leaked."""
    secrets = [s for s in secrets if s]
    leaks = []
    for line in lines:
        if JWT.search(line):
            leaks.append(f"JWT in: {line[:300]}")
            continue
        if CALLBACK_TOKEN.search(line):
            leaks.append(f"callback token in: {line[:300]}")
            continue
        if CALENDAR_TOKEN.search(line):
            leaks.append(f"calendar token in: {line[:300]}")
            continue
        for secret in secrets:
            if secret in line:
                leaks.append(f"secret {secret[:3]}… in: {line[:300]}")
                break
    return leaks


class RecordingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a broken record must not break the test that logged it
            self.lines.append(f"unformattable record from {record.name}")


_handler = RecordingHandler()
# Output of other processes a test started and handed over with record_output().
_other_lines: list[str] = []


def record_output(name: str, text: str) -> None:
    """Add a subprocess's log output (e.g. a gunicorn a test ran) to the suite-wide search."""
    _other_lines.extend(f"[{name}] {line}" for line in text.splitlines())


def all_lines() -> list[str]:
    """This process's records, the output of processes handed over, and the QPay worker's and
    sandbox's output (testing/qpay_worker.py keeps it)."""
    from testing import qpay_worker as qpay_testing

    return [*_handler.lines, *_other_lines, *qpay_testing.OUTPUT]


def subprocess_secrets() -> list[str]:
    from testing import qpay_worker as qpay_testing

    return sorted(qpay_testing.SECRETS)


@pytest.fixture(scope="session", autouse=True)
def _record_every_log_line():
    """Installed after Django configured logging (dictConfig replaces the root handlers)."""
    from tattoo.core.logging import RedactSecretsFilter

    _handler.addFilter(RedactSecretsFilter())
    root = logging.getLogger()
    root.addHandler(_handler)
    yield
    root.removeHandler(_handler)


def _report() -> Path:
    return Path(os.environ.get("INKBOOK_LOG_LEAKS", ".data/log-leaks.txt"))


def pytest_configure(config):
    # The controller (or the only process) starts from an empty report; xdist workers, started
    # later, inherit the path and append to it.
    if not hasattr(config, "workerinput"):
        os.environ["INKBOOK_LOG_LEAKS"] = str(Path(".data/log-leaks.txt").resolve())
        _report().parent.mkdir(parents=True, exist_ok=True)
        _report().unlink(missing_ok=True)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    """Each process checks its own records; the controller (which runs after every worker has
    finished) or the only process fails the run when any process found a leak."""
    leaks = find_leaks(all_lines(), [*configured_secrets(), *subprocess_secrets()])
    if leaks:
        where = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with _report().open("a") as out:
            out.write("\n".join(f"[{where}] {leak}" for leak in leaks) + "\n")
    if hasattr(session.config, "workerinput"):
        return
    found = _report().read_text().strip() if _report().exists() else ""
    if found:
        print(f"\nLOG LINES LEAK SECRETS (testing/logcheck.py, {_report()}):\n{found}", flush=True)  # noqa: T201
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
