"""pytest plugin: the long tests start first within their group, so the test processes finish together.

Under `-n 2` pytest-xdist hands tests out in collection order to whichever process is free. That
order is pytest-randomly's shuffle, then pytest-django's grouping (database tests in a transaction,
then transactional ones, then those without a database). The browser journeys, stack tests and
job workers (2 to 20 s each) sat anywhere in their group, and one of them starting near the end
kept one process busy while the other sat idle (docs/development.md).

This hook runs before pytest-django's stable sort and moves the long tests to the front; that sort
then keeps them at the front of their own group. The groups themselves must keep their order: a
browser test leaves Playwright's event loop in its process's main thread, and the non-transactional
database tests (some run async_to_sync) must have run before it (measured: moved ahead of them, eight
failed, seven job tests and an aftercare test, with "You cannot use AsyncToSync in the same thread
as an async event loop").

Long: the markers `browser` and `e2e`, and `long` for the others that take seconds (property
histories, job workers in subprocesses). The order inside each part stays the seed's, so a run is
still reproducible from `--randomly-seed`.
"""

from __future__ import annotations

import pytest

LONG_MARKERS = ("browser", "e2e", "long")


def _is_long(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) is not None for name in LONG_MARKERS)


@pytest.hookimpl(tryfirst=True)  # before pytest-django's grouping sort (pytest-randomly wraps both)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not _is_long(item))  # stable: each part keeps the seed's order
