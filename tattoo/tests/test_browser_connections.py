"""The browser plugin leaves no Django connection open around Playwright (testing/browser.py,
`playwright_beside_django`). In a thread of its own, which has no event loop yet, as the first
page test of a test process has none: Django's connection from before Playwright started and the
one opened while it ran are both closed once it stops."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from testing.browser import playwright_beside_django

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_sessions(pids: list[int]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
        return [pid for (pid,) in cursor.fetchall()]


def test_no_django_connection_outlives_playwright_on_either_side():
    seen: dict[str, object] = {}

    def run() -> None:
        try:
            before = connections["default"]
            before.ensure_connection()
            seen["before"] = before.connection.info.backend_pid
            with playwright_beside_django():
                during = connections["default"]
                # asgiref keeps another set of connections while a loop runs in the thread
                seen["another wrapper"] = during is not before
                during.ensure_connection()
                seen["during"] = during.connection.info.backend_pid
        except Exception as exc:  # handed to the test below
            seen["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert "error" not in seen, seen["error"]
    assert seen["another wrapper"] is True
    pids = [seen["before"], seen["during"]]
    assert len(set(pids)) == 2
    deadline = time.monotonic() + 5  # a closed session's backend exits a moment after the client
    while (still_open := _open_sessions(pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert still_open == []
