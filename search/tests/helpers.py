"""Helpers of the search tests (imported, not fixtures)."""

from __future__ import annotations

from typing import Any


def listed(client: Any, **params: Any) -> list[int]:
    """The ids GET /api/tattooists answers, in order (one page of up to 100)."""
    response = client.get("/api/tattooists", {"pageSize": 100, **params})
    assert response.status_code == 200, response.json()
    return [artist["id"] for artist in response.json()["results"]]
