"""Two portfolio writes of one artist at once both reach the artist's search entry (real
transactions on PostgreSQL): the later refresh must not write what it read before the earlier one
committed. What serialises them today is the public cache's version bump, in the same transaction
before the refresh (the second write waits on the `artist:N` and `catalog` rows); were the refresh
to run first, it would read its statement's snapshot and lose the first write's tags."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from portfolio.models import PortfolioItem
from portfolio.tests.factories import PortfolioItemFactory
from search.models import ArtistSearchEntry

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _wait_for_a_lock_wait(timeout: float = 10.0) -> None:
    """Until another session of this database waits for a lock (watched from a third connection)."""
    watcher = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with watcher.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.02)
        raise AssertionError("the second write never waited for the first")
    finally:
        watcher.close()


def test_two_items_added_at_once_both_reach_the_entry(tattooist):
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with transaction.atomic():
                PortfolioItemFactory(tattooist=tattooist, style_tags=["rose"])
        except BaseException as exc:  # recorded, asserted below
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    with transaction.atomic():
        PortfolioItemFactory(tattooist=tattooist, style_tags=["koi"])
        thread.start()
        _wait_for_a_lock_wait()
    thread.join(timeout=30)

    assert not thread.is_alive()
    assert not failures, failures
    entry = ArtistSearchEntry.objects.get(tattooist=tattooist)
    assert sorted(entry.styles) == ["koi", "rose"]
    newest = PortfolioItem.objects.filter(tattooist=tattooist).order_by("-created_at", "-id").first()
    assert entry.cover_id == newest.pk
