"""Writes of the artist search: keeping each artist's search entry in step with the artist."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection


def artist_search_refresh(*, tattooist_ids: Iterable[int] | None = None, create: bool = True) -> None:
    """Derive the search entries of these artists (all when None) from their name, studio,
    portfolio (its tags by use, its newest item) and bio, in one statement (the SQL function
    inkbook_artist_search_refresh, search/migrations). `create=False` only updates entries that
    exist."""
    ids = None if tattooist_ids is None else sorted({int(pk) for pk in tattooist_ids})
    if ids == []:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT inkbook_artist_search_refresh(%s::bigint[], %s)", [ids, create])
