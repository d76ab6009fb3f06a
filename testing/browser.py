"""pytest plugin: Playwright driving the machine's Chromium against pytest-django's live server.

Registered from the root conftest.py (`pytest_plugins`). Fixtures:

* `browser`: one headless Chromium per test session (per xdist worker), Debian's /usr/bin/chromium.
  A missing Chromium fails the test loudly; nothing is ever downloaded (no `playwright install`).
* `page`: a fresh browser context (own cookies) pointed at the live server (`page.goto("/")`
  works), 1280x800. It fails the test when the page throws a JavaScript error or the browser
  reports a Content-Security-Policy violation, and saves a screenshot when the test fails.
* `screenshot(page, name)`: saves test-artifacts/screenshots/<name>.png (full page) on demand.
* `new_page(**context_args)`: another isolated page (a second user, a phone viewport).
* `site_url`: the server the pages load from (pytest-django's `live_server` by default, which
  makes the test transactional); override it to point at a server run as a subprocess.

Mark browser tests `@pytest.mark.browser`. They are spread over the xdist workers like any other
test: each worker that meets one starts its own Chromium (about a second) and serves the pages
from its own live server, S3 server and test database. (They used to share an `xdist_group`, but
with pytest 9.2 and pytest-xdist 3.8 `--dist loadgroup` ignores groups without a word,
pytest-dev/pytest-xdist#1386, so they were spread anyway; grouped, one worker would carry all
~100 s of them.)
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
DEFAULT_TIMEOUT_MS = 15_000  # a ceiling for waits, not an assertion about speed
_CSP_VIOLATION = re.compile(r"Content[- ]Security[- ]Policy", re.IGNORECASE)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:150]


def save_screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_slug(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: browser tests need Debian's chromium package "
            "(`apt-get install chromium`; .ci/run installs it). Never `playwright install`.",
            pytrace=False,
        )
    with playwright_beside_django() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _close_django_connections() -> None:
    """Close this thread's Django connections that no transaction is using (a test's own atomic
    block, were there one, keeps its connection)."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()


@contextlib.contextmanager
def playwright_beside_django() -> Iterator:
    """Playwright's sync API started and stopped with no Django connection left open on either side.

    While it runs, its event loop counts as running in this thread (`asyncio.get_running_loop()`
    finds it between calls: the loop lives in a greenlet). Django keeps a thread's connections in
    asgiref's thread-critical Local, which holds one set for a thread with no running loop and
    another for one with a loop. So the connection the tests before the first page test used
    stayed open beside the test database while Playwright ran, and the one the tests used while
    it ran stayed open once it stopped, until the end of the run, where dropping the test database
    then found "1 other session using the database" (tattoo/tests/test_browser_connections.py)."""
    from playwright.sync_api import sync_playwright

    # With that loop, Django's ORM would refuse to run from test code ("async context"), although
    # everything here is synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _close_django_connections()
    with sync_playwright() as playwright:
        try:
            yield playwright
        finally:
            _close_django_connections()


class _PageProblems:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"JavaScript error on {page.url}: {exc}"))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(f"CSP violation on {page.url}: {msg.text}")
                if msg.type == "error" and _CSP_VIOLATION.search(msg.text)
                else None
            ),
        )


@pytest.fixture
def site_url(live_server) -> str:
    """Where the pages are served; override this fixture to aim the browser at another server
    (e.g. a subprocess running next to the worker and the S3 server)."""
    return live_server.url


@pytest.fixture
def new_page(browser, site_url, request) -> Iterator[Callable]:
    contexts = []
    problems = _PageProblems()

    def make(**context_args):
        context_args.setdefault("viewport", {"width": 1280, "height": 800})
        context_args.setdefault("locale", "en-US")  # the page's language, unless a test picks one
        context = browser.new_context(base_url=site_url, **context_args)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield make

    failed = getattr(request.node, "_report_call", None)
    if failed is not None and failed.failed:
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                with contextlib.suppress(Exception):  # a screenshot must not hide the real failure
                    save_screenshot(page, f"FAILED-{request.node.name}-{i}-{j}")
    for context in contexts:
        context.close()
    if problems.errors and not (failed is not None and failed.failed):
        pytest.fail("the browser reported problems:\n" + "\n".join(problems.errors), pytrace=False)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot() -> Callable:
    return save_screenshot


def loaded_image_width(page, locator, timeout: float = 15_000) -> int:
    """The natural width of an <img> once the browser has finished loading it (0 if it failed).

    Visible is not loaded: the element shows before its bytes arrive, so wait for `complete`.
    """
    handle = locator.element_handle()
    page.wait_for_function("(img) => img.complete", arg=handle, timeout=timeout)
    return page.evaluate("(img) => img.naturalWidth", handle)
