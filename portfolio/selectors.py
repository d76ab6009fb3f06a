"""Reads of portfolios (the public artist list is search.selectors')."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Tattooist
from accounts.selectors import tattooist_is_public, tattooist_public_qs
from portfolio.models import PortfolioItem

__all__ = ["portfolio_public", "tattooist_is_public"]


def normalize_style(style: str | None) -> str:
    """Style tags are stored lower-case (portfolio/services.py); a filter is trimmed and lower-cased."""
    return (style or "").strip().lower()


def portfolio_public(*, tattooist_id: int) -> QuerySet[PortfolioItem]:
    """A public (approved, active) artist's items, newest first; none for anyone else (tell an
    unknown artist from an empty portfolio with tattooist_is_public)."""
    return PortfolioItem.objects.filter(tattooist_id=tattooist_id, tattooist__in=tattooist_public_qs()).order_by(
        "-created_at", "-id"
    )


def portfolio_for(*, tattooist: Tattooist) -> QuerySet[PortfolioItem]:
    """All of one artist's items, newest first (the artist page, after the viewer check)."""
    return tattooist.portfolio_items.order_by("-created_at", "-id")
