"""Reads of portfolios (the public artist list is search.selectors')."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import Tattooist
from accounts.selectors import tattooist_is_public, tattooist_public_qs
from portfolio.models import PortfolioItem
from tattoo.core import http_cache

__all__ = ["portfolio_public", "tattooist_is_public"]


def normalize_style(style: str | None) -> str:
    """Style tags are stored lower-case (portfolio/services.py); a filter is trimmed and lower-cased."""
    return (style or "").strip().lower()


def style_tags_public() -> list[str]:
    """Every style tag used by a public artist's portfolio, sorted.

    The query reads every portfolio item's tags (about 90 ms at 100,000 items, commit ba9b750),
    so the list is kept in the "public" cache under the catalog version, which every portfolio
    and artist write bumps in its own transaction (tattoo/core/http_cache.py): never stale, one
    primary key lookup on a hit.
    """
    version = http_cache.versions([http_cache.CATALOG])
    key = f"style_tags:{version}"
    tags = http_cache.stored_get(key) if version else None
    if tags is None:
        tags = list(
            PortfolioItem.objects.filter(tattooist__in=tattooist_public_qs())
            .annotate(tag=RawSQL("unnest(style_tags)", ()))
            .values_list("tag", flat=True)
            .order_by("tag")
            .distinct()
        )
        if version:  # no version row yet: nothing was ever bumped, so there is no key to trust
            http_cache.stored_set(key, tags, http_cache.RENDERED_SECONDS)
    return tags


def portfolio_public(*, tattooist_id: int) -> QuerySet[PortfolioItem]:
    """A public (approved, active) artist's items, newest first; none for anyone else (tell an
    unknown artist from an empty portfolio with tattooist_is_public)."""
    return PortfolioItem.objects.filter(tattooist_id=tattooist_id, tattooist__in=tattooist_public_qs()).order_by(
        "-created_at", "-id"
    )


def portfolio_for(*, tattooist: Tattooist) -> QuerySet[PortfolioItem]:
    """All of one artist's items, newest first (the artist page, after the viewer check)."""
    return tattooist.portfolio_items.order_by("-created_at", "-id")
