"""pytest plugin: the QPay sandbox and the worker as real processes on loopback.

Registered from the root conftest (``pytest_plugins``). Each xdist worker starts its own pair on
free ports once per session; tests point the web app at them with the ``qpay_worker`` fixture.
"""

from __future__ import annotations

import pytest

from testing.qpay_worker import (  # noqa: F401 - re-exported for tests
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_INVOICE_CODE,
    QPayStack,
    ThreadedServer,
    free_port,
    start_sandbox,
    start_stack,
    stop_process,
    wait_for,
)


@pytest.fixture(scope="session")
def qpay_stack() -> QPayStack:
    """Sandbox + worker processes with the web app's WEB_TO_WORKER_SECRET and WORKER_TO_WEB_SECRET."""
    from django.conf import settings

    stack = start_stack(list(settings.WEB_TO_WORKER_SECRETS), list(settings.WORKER_TO_WEB_SECRETS))
    yield stack
    for proc in stack.processes:
        stop_process(proc)


@pytest.fixture
def qpay_worker(qpay_stack, settings) -> QPayStack:
    """The web app talks to the session's worker (which talks to the sandbox)."""
    settings.QPAY_WORKER_URL = qpay_stack.worker_url
    return qpay_stack
