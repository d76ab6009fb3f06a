"""Reads behind the public artist pages (home list and artist page)."""

from __future__ import annotations

from django.core.cache import caches
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import Tattooist, User
from bookings.models import Availability
from portfolio.models import PortfolioItem
from tattoo import http_cache

# Availability.day follows PostgreSQL's dow (0 = Sunday); the page lists the week from Monday.
WEEK_FROM_MONDAY = (1, 2, 3, 4, 5, 6, 0)


def tattooist_list_public(*, style: str = "", q: str = "") -> QuerySet[Tattooist]:
    """Approved artists, each with its newest portfolio image and the set of its style tags."""
    newest = PortfolioItem.objects.filter(tattooist=OuterRef("pk")).order_by("-created_at", "-id")
    artists = (
        Tattooist.objects.filter(approved=True, user__is_active=True)
        .select_related("user")
        .annotate(
            cover_url=Subquery(newest.values("image_url")[:1]),
            cover_alt=Subquery(newest.values("description")[:1]),
            styles=RawSQL(
                "ARRAY(SELECT DISTINCT t FROM portfolios p, unnest(p.style_tags) t "
                "WHERE p.tattooist_id = tattooists.id ORDER BY t)",
                (),
            ),
        )
        .order_by("user__name", "id")
    )
    if style:
        artists = artists.filter(
            pk__in=PortfolioItem.objects.filter(style_tags__contains=[style]).values("tattooist_id")
        )
    q = q.strip()
    if q:
        artists = artists.filter(Q(user__name__icontains=q) | Q(bio__icontains=q))
    return artists


def style_tags_public() -> list[str]:
    """Every style tag used by an approved artist's portfolio, sorted.

    The query reads every portfolio item's tags (about 90 ms at 100,000 items, bench/README.md),
    so the list is kept in the "public" cache under the catalog version, which every portfolio
    and artist write bumps in its own transaction (tattoo/http_cache.py): never stale, one primary
    key lookup on a hit.
    """
    version = http_cache.versions([http_cache.CATALOG])
    key = f"style_tags:{version}"
    store = caches[http_cache.RENDERED_CACHE]
    tags = store.get(key) if version else None
    if tags is None:
        tags = list(
            PortfolioItem.objects.filter(tattooist__approved=True)
            .annotate(tag=RawSQL("unnest(style_tags)", ()))
            .values_list("tag", flat=True)
            .order_by("tag")
            .distinct()
        )
        if version:  # no version row yet: nothing was ever bumped, so there is no key to trust
            store.set(key, tags, http_cache.RENDERED_SECONDS)
    return tags


def tattooist_get_public(*, tattooist_id: int, viewer: User) -> Tattooist:
    """An approved artist; the artist themselves and staff may also preview an unapproved page."""
    artist = Tattooist.objects.select_related("user").filter(pk=tattooist_id, user__is_active=True).first()
    if artist is None:
        raise Http404("No such artist.")
    if not artist.approved and not (viewer.is_authenticated and (viewer.pk == artist.user_id or viewer.is_staff)):
        raise Http404("No such artist.")
    return artist


def portfolio_for(*, tattooist: Tattooist) -> QuerySet[PortfolioItem]:
    return tattooist.portfolio_items.order_by("-created_at", "-id")


def weekly_hours(*, tattooist: Tattooist) -> list[dict]:
    """[{day, name, windows: [Availability...]}] Monday first; days without windows have none."""
    by_day: dict[int, list[Availability]] = {d: [] for d in WEEK_FROM_MONDAY}
    for window in Availability.objects.filter(tattooist=tattooist).order_by("day", "start_time"):
        by_day[window.day].append(window)
    return [{"day": d, "name": Availability.Day(d).label, "windows": by_day[d]} for d in WEEK_FROM_MONDAY]
