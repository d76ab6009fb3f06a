"""Two portfolio writes of one artist at once both reach the artist's search entry (real
transactions on PostgreSQL): the later refresh must not write what it read before the earlier one
committed. What serialises them today is the public cache's version bump, in the same transaction
before the refresh (the second write waits on the `artist:N` and `catalog` rows); were the refresh
to run first, it would read its statement's snapshot and lose the first write's tags."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from portfolio.models import PortfolioItem
from portfolio.tests.factories import PortfolioItemFactory
from search.models import ArtistSearchEntry
from testing.races import await_lock_wait

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


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
        await_lock_wait(what="the second write")
    thread.join(timeout=30)

    assert not thread.is_alive()
    assert not failures, failures
    entry = ArtistSearchEntry.objects.get(tattooist=tattooist)
    assert sorted(entry.styles) == ["koi", "rose"]
    newest = PortfolioItem.objects.filter(tattooist=tattooist).order_by("-created_at", "-id").first()
    assert entry.cover_id == newest.pk
