"""Reads of portfolios, and the one public artist list (artists with their portfolio's styles):
pages and API both ask it."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import Tattooist, User
from accounts.selectors import tattooist_get_public as _tattooist_get_public
from accounts.selectors import tattooist_is_public, tattooist_public_qs
from portfolio.models import PortfolioItem
from tattoo.core import http_cache, images

__all__ = ["portfolio_public", "tattooist_is_public", "tattooist_list_public", "tattooist_get_public"]

# The distinct union of an artist's portfolio tags, computed in the same query as the artist.
# "tattooists" is the alias Django gives the base table of a Tattooist queryset.
_STYLE_TAGS_SQL = (
    "ARRAY(SELECT DISTINCT tag FROM portfolios p, unnest(p.style_tags) AS tag "
    "WHERE p.tattooist_id = tattooists.id ORDER BY tag)"
)


def _with_style_tags(qs: QuerySet[Tattooist]) -> QuerySet[Tattooist]:
    return qs.select_related("user").annotate(
        style_tags=RawSQL(_STYLE_TAGS_SQL, [], output_field=ArrayField(models.CharField()))
    )


def normalize_style(style: str | None) -> str:
    """Style tags are stored lower-case (portfolio/services.py); a filter is trimmed and lower-cased."""
    return (style or "").strip().lower()


def tattooist_list_public(
    *, style: str | None = None, q: str | None = None, with_cover: bool = False
) -> QuerySet[Tattooist]:
    """The public artist list, by name: approved, active artists with their style tags, optionally
    with a portfolio item tagged `style` (trimmed, lower-cased) and/or `q` in the name or bio
    (case-insensitive). `with_cover` adds the newest portfolio image (the home page's cards):
    ``cover_key``, ``cover_url``, ``cover_width``, ``cover_height``, ``cover_variants`` (for the
    ``image`` template tag with ``field="cover"``) and ``cover_alt``."""
    artists = tattooist_public_qs()
    style = normalize_style(style)
    if style:
        tagged = PortfolioItem.objects.filter(tattooist=OuterRef("pk"), style_tags__contains=[style])
        artists = artists.filter(Exists(tagged))
    q = (q or "").strip()
    if q:
        artists = artists.filter(Q(user__name__icontains=q) | Q(bio__icontains=q))
    artists = _with_style_tags(artists)
    if with_cover:
        newest = PortfolioItem.objects.filter(tattooist=OuterRef("pk")).order_by("-created_at", "-id")
        artists = artists.annotate(
            **images.newest_image_annotations(newest, prefix="cover"),
            cover_alt=Subquery(newest.values("description")[:1]),
        )
    else:
        artists = artists.only("bio", "timezone", "session_minutes", "min_deposit", "user__name")
    return artists.order_by("user__name", "id")


def tattooist_get_public(*, tattooist_id: int, viewer: User | None = None) -> Tattooist:
    """One public artist with its style tags, or 404 (accounts.selectors.tattooist_get_public's rule:
    with `viewer`, the artist themselves and staff may preview an unapproved profile)."""
    artist = _tattooist_get_public(tattooist_id=tattooist_id, viewer=viewer)
    found = _with_style_tags(Tattooist.objects.filter(pk=artist.pk)).first()
    if found is None:
        raise Http404
    return found


def style_tags_public() -> list[str]:
    """Every style tag used by a public artist's portfolio, sorted.

    The query reads every portfolio item's tags (about 90 ms at 100,000 items, bench/README.md),
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
