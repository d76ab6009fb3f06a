from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Tattooist
from portfolio.models import PortfolioItem


def portfolio_public(*, tattooist_id: int) -> QuerySet[PortfolioItem]:
    """A public (approved, active) artist's items, newest first; none for anyone else (tell an
    unknown artist from an empty portfolio with tattooist_is_public)."""
    return PortfolioItem.objects.filter(
        tattooist_id=tattooist_id, tattooist__approved=True, tattooist__user__is_active=True
    ).order_by("-created_at", "-id")


def tattooist_is_public(*, tattooist_id: int) -> bool:
    return Tattooist.objects.filter(pk=tattooist_id, approved=True, user__is_active=True).exists()
