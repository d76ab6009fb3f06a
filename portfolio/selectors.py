from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Tattooist
from portfolio.models import PortfolioItem


def portfolio_items_public(*, tattooist_id: int) -> QuerySet[PortfolioItem]:
    """An approved artist's items, newest first; an unknown or unapproved artist is a 404."""
    tattooist = get_object_or_404(Tattooist, pk=tattooist_id, approved=True, user__is_active=True)
    return PortfolioItem.objects.filter(tattooist=tattooist).order_by("-created_at", "-id")
