"""Finding an artist (docs/search.md): the one public artist list and profile, for the API and the
pages alike.

The database does what it can index: the public-artist rule, text search in both scripts
(inkbook_search_key and inkbook_search_query, search/migrations), the profile filters and the
SQL sorts. Free time is the slot rule's (bookings.selectors.slot_starts), over schedules loaded for
many artists at once, so a page costs the same number of queries whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple, TypedDict, cast, overload

from django.contrib.postgres.search import SearchQueryField, TrigramWordSimilarity
from django.db import models
from django.db.models import CharField, F, FloatField, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django_stubs_ext import WithAnnotations

from accounts.models import Tattooist, User
from accounts.selectors import tattooist_get_public, tattooist_public_qs
from bookings.selectors import artists_available_between, next_available
from consultations.selectors import response_hours
from portfolio.selectors import normalize_style
from search.models import ArtistSearchEntry
from tattoo.core import http_cache, images

SORTS = ("relevance", "rating", "price", "soonest", "newest")
STYLES_SHOWN = 5  # `styles`: the artist's most used tags
MAX_AVAILABILITY_DAYS = 31  # availableFrom..availableTo, both included


@dataclass(frozen=True)
class ArtistQuery:
    """What a visitor asked for (validated: search.serializers.ArtistListQuerySerializer)."""

    q: str = ""
    style: str = ""
    district: str = ""
    city: str = ""
    language: str = ""
    price_max: Decimal | None = None
    min_rating: Decimal | None = None
    available_from: date | None = None
    available_to: date | None = None
    sort: str = ""

    @property
    def has_text(self) -> bool:
        """Whether `q` has anything to search for (letters or digits)."""
        return any(ch.isalnum() for ch in self.q)

    @property
    def order(self) -> str:
        """The sort in force: `relevance` by default with a text, `newest` without (and for
        `relevance` without a text: there is nothing to rank)."""
        if self.sort and not (self.sort == "relevance" and not self.has_text):
            return self.sort
        return "relevance" if self.has_text else "newest"

    @property
    def wants_free_time(self) -> bool:
        return self.available_from is not None or self.available_to is not None

    def free_time_days(self, today: date) -> tuple[date, date]:
        """The days asked for: availableFrom alone means the 31 days from it; availableTo alone,
        from `today` on."""
        first = self.available_from or today
        last = self.available_to or first + timedelta(days=MAX_AVAILABILITY_DAYS - 1)
        return first, last


# --- the text search ------------------------------------------------------------------------------


def search_key(value: str) -> Func:
    """inkbook_search_key(value): the folded Latin form both scripts share (docs/search.md)."""
    return Func(Value(value), function="inkbook_search_key", output_field=TextField())


def search_query(value: str) -> Func:
    """inkbook_search_query(value): every word of the key as a prefix, all required."""
    return Func(Value(value), function="inkbook_search_query", output_field=SearchQueryField())


class _Matches(Func):
    """document @@ query (the SearchVectorExact lookup would wrap the query in plainto_tsquery)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = models.BooleanField()


def _text_filtered(artists: QuerySet[Tattooist], q: str) -> QuerySet[Tattooist]:
    # Two GIN indexes of artist_search answer it (a bitmap OR): every word as a prefix of a word
    # of the name, studio, tags or bio, or the whole text close to the name, studio and tags
    # (pg_trgm word similarity: small typos).
    words, key = search_query(q), search_key(q)
    return artists.filter(
        _Matches(F("search_entry__document"), words) | Q(search_entry__names__trigram_word_similar=key)
    ).annotate(
        relevance=Func(F("search_entry__document"), words, function="ts_rank", output_field=FloatField())
        # the stubs want a str first; Django takes an expression too (it wraps only a plain value in Value)
        + TrigramWordSimilarity(key, "search_entry__names")  # type: ignore[arg-type]
    )


def style_tags_public() -> list[str]:
    """Every style tag of a public artist's portfolio, sorted: the search form's choices.

    Read from the artists' search entries (one row per artist, not every portfolio item: ~230 ms
    at 100,000 items under load, bench/README.md) and kept in the public store under the catalog
    version, which every portfolio and artist write bumps in its own transaction
    (tattoo/core/http_cache.py): never stale, one primary key lookup on a hit.
    """
    version = http_cache.versions([http_cache.CATALOG])
    key = f"style_tags:{version}"
    tags = http_cache.stored_get(key) if version else None
    if tags is None:
        tags = list(
            ArtistSearchEntry.objects.filter(tattooist__in=tattooist_public_qs())
            .annotate(tag=Func(F("styles"), function="unnest", output_field=CharField()))
            .values_list("tag", flat=True)
            .order_by("tag")
            .distinct()
        )
        if version:  # no version row yet: nothing was ever bumped, so there is no key to trust
            http_cache.stored_set(key, tags, http_cache.RENDERED_SECONDS)
    return tags


# --- the list -------------------------------------------------------------------------------------

_ORDER: dict[str, tuple[str | OrderBy, ...]] = {
    "relevance": ("-relevance", "-created_at", "-id"),
    "rating": (F("rating_average").desc(nulls_last=True), "-rating_count", "id"),
    "price": (F("price_from").asc(nulls_last=True), "id"),
    "newest": ("-created_at", "-id"),
}


def artists_matching(query: ArtistQuery) -> QuerySet[Tattooist]:
    """Public artists matching every filter of `query` but free time, in its sort's order
    (`soonest`: in the relevance or newest order, which breaks its ties)."""
    artists = tattooist_public_qs()
    style = normalize_style(query.style)
    if style:
        # The search entry's tags (GIN-indexed): one row per artist, not every item of every portfolio.
        artists = artists.filter(search_entry__styles__contains=[style])
    if query.district:
        artists = artists.filter(district=query.district)
    if query.city.strip():
        # Exact, in either script and any case: "Ulaanbaatar" is "Улаанбаатар".
        artists = artists.alias(city_key=Func(F("city"), function="inkbook_search_key")).filter(
            city_key=search_key(query.city)
        )
    if query.language:
        artists = artists.filter(languages__contains=[query.language])
    if query.price_max is not None:
        artists = artists.filter(price_from__lte=query.price_max)
    if query.min_rating is not None:
        artists = artists.filter(rating_average__gte=query.min_rating)
    if query.has_text:
        artists = _text_filtered(artists, query.q)
    order = query.order
    if order == "soonest":
        order = "relevance" if query.has_text else "newest"
    return artists.order_by(*_ORDER[order])


class _CardFields(TypedDict):
    """What an artist's card carries beyond the artist's row: _with_cards's annotations, then what
    _finish derives from them (the serializers and the list's template read these)."""

    # annotations (the cover: the newest portfolio item, through the search entry)
    cover_key: str | None
    cover_url: str | None
    cover_width: int | None
    cover_height: int | None
    cover_variants: list[int] | None
    cover_alt: str | None
    tags_by_use: list[str] | None  # None: no search entry yet
    # set by _finish
    styles: list[str]
    style_tags: list[str]
    cover: str | None
    avatar: str | None
    next_available: datetime | None


class _ProfileFields(_CardFields):
    """An artist's profile: a card, and how soon the artist answers a consultation."""

    response_hours: float | None


class _NextFree(TypedDict):
    next_available: datetime | None


if TYPE_CHECKING:  # WithAnnotations takes its TypedDict for the checker only (at run time it takes one argument)
    ArtistCard = WithAnnotations[Tattooist, _CardFields]
    ArtistProfile = WithAnnotations[Tattooist, _ProfileFields]
    _WithNextFree = WithAnnotations[Tattooist, _NextFree]


# The one place the artist answers choose their image URLs (coverUrl, avatarUrl): the small WebP
# variant once the variants job made it, the sanitised image itself until then (tattoo/core/images.py).
def cover_url(artist: ArtistCard) -> str | None:
    """The card's picture: the artist's newest portfolio image, 640 px wide."""
    key = getattr(artist, "cover_key", None)
    if not key:
        return None
    return images.thumbnails("portfolio", key, artist.cover_variants).get("640") or artist.cover_url


def avatar_url(artist: Tattooist) -> str | None:
    if not artist.avatar_key:
        return None
    return images.thumbnails("avatars", artist.avatar_key, artist.avatar_variants).get("320") or artist.avatar_url


def _with_cards(artists: QuerySet[Tattooist]) -> QuerySet[ArtistCard]:
    """What a card shows beyond the artist's row: the user's name, the cover (the newest portfolio
    item) and the tags most used first, all kept on the artist's search entry (search.services):
    joins, no reading of the portfolio per row."""
    cover = "search_entry__cover__"
    cards = artists.select_related("user").annotate(
        cover_key=F(f"{cover}image_key"),
        cover_url=F(f"{cover}image_url"),
        cover_width=F(f"{cover}image_width"),
        cover_height=F(f"{cover}image_height"),
        cover_variants=F(f"{cover}image_variants"),
        cover_alt=F(f"{cover}description"),
        tags_by_use=F("search_entry__styles"),
    )
    # annotations through a reverse one-to-one: the checker does not type them as ArtistCard's
    return cast("QuerySet[ArtistCard]", cards)


def _finish(artists: list[ArtistCard], next_free: dict[int, datetime | None]) -> list[ArtistCard]:
    for artist in artists:
        _next_free_is(artist, next_free.get(artist.pk))
        tags = artist.tags_by_use or []  # no search entry yet: no tags
        artist.styles = list(tags[:STYLES_SHOWN])
        artist.style_tags = sorted(tags)
        artist.cover = cover_url(artist)
        artist.avatar = avatar_url(artist)
    return artists


class _Clock(NamedTuple):
    """What the slot rule needs of an artist (bookings.selectors.schedules_load)."""

    pk: int
    timezone: str
    session_minutes: int


class ArtistResults(Sequence["ArtistCard"]):
    """The answer to an ArtistQuery, page by page (Django's and DRF's paginators take it): `count()`
    and a slice, each a fixed number of queries whatever the page size.

    Without a free-time filter or the soonest sort, the database counts, sorts and pages (a count,
    then the page; then the page's next free starts: two). With one, the matching artists' ids come
    first in the SQL order (one query), their schedules decide the free-time filter and the soonest
    order (two queries each), and a page is then one query.
    """

    def __init__(self, query: ArtistQuery, *, now: datetime | None = None):
        self.query = query
        self.now = now or timezone.now()
        self._matching = artists_matching(query)
        self._in_python = query.order == "soonest" or query.wants_free_time
        self._ids: list[int] | None = None
        self._next: dict[int, datetime | None] = {}

    def _ordered_ids(self) -> list[int]:
        if self._ids is None:
            clocks = [_Clock(*row) for row in self._matching.values_list("id", "timezone", "session_minutes")]
            if self.query.wants_free_time:
                # "Today" of the earliest zone: earlier days hold no bookable start anyway.
                first, last = self.query.free_time_days(self.now.date() - timedelta(days=1))
                free = artists_available_between(artists=clocks, first_day=first, last_day=last, now=self.now)
                clocks = [c for c in clocks if c.pk in free]
            if self.query.order == "soonest":
                # Most artists are free within the week: the rest of the 60 days is loaded for the
                # others only.
                self._next = next_available(artists=clocks, now=self.now, first_look_days=7)
                never = datetime.max.replace(tzinfo=self.now.tzinfo)
                # stable: artists free at the same instant keep the relevance or newest order
                clocks.sort(key=lambda c: self._next[c.pk] or never)
            self._ids = [c.pk for c in clocks]
        return self._ids

    # Django's Paginator asks count() for the total, as it asks a QuerySet; Sequence's count(value),
    # the occurrences of one item, is never asked of it.
    def count(self) -> int:  # type: ignore[override]
        return len(self._ordered_ids()) if self._in_python else self._matching.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> ArtistCard: ...

    @overload
    def __getitem__(self, index: slice) -> list[ArtistCard]: ...

    def __getitem__(self, index: int | slice) -> ArtistCard | list[ArtistCard]:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        if self._in_python:
            ids = self._ordered_ids()[index]
            rows = _with_cards(Tattooist.objects.filter(pk__in=ids)).in_bulk() if ids else {}
            artists = [rows[pk] for pk in ids]
        else:
            artists = list(_with_cards(self._matching)[index])
        missing = [a for a in artists if a.pk not in self._next]
        if missing:
            self._next.update(next_available(artists=missing, now=self.now))
        return _finish(artists, self._next)


def artist_search(query: ArtistQuery, *, now: datetime | None = None) -> ArtistResults:
    """The public artists that answer `query`, sorted as it asks; page it with a paginator."""
    return ArtistResults(query, now=now)


def artist_profile(*, tattooist_id: int, viewer: User | None = None, now: datetime | None = None) -> ArtistProfile:
    """One artist with everything their card and API profile show (next free start, cover, styles,
    response time), or 404; with `viewer`, the artist themselves and staff may preview an
    unapproved profile (accounts.selectors.tattooist_get_public's rule). The artist page reads
    less (tattoo/site/views/booking_form.py: its own fields, the next free start from its picker)."""
    now = now or timezone.now()
    # tattooist_get_public answers a Tattooist of the queryset it is given: a card here
    artist = cast(
        "ArtistProfile",
        tattooist_get_public(tattooist_id=tattooist_id, viewer=viewer, queryset=_with_cards(Tattooist.objects.all())),
    )
    artist.response_hours = response_hours(tattooist_id=artist.pk, now=now)  # one query
    _finish([artist], {})
    set_next_free(artist, now=now)
    return artist


def set_next_free(artist: Tattooist, *, now: datetime, known: Sequence[datetime] = ()) -> None:
    """Give a profile its next free start (`next_available`): the first of `known`, starts the slot
    rule has already found from `now` on (in order), else the rule asked over the next
    NEXT_AVAILABLE_DAYS; None for an artist who takes no bookings or has no free time then."""
    if not artist.approved:
        found = None
    elif known:
        found = known[0]
    else:
        found = next_available(artists=[artist], now=now).get(artist.pk)
    _next_free_is(artist, found)


def _next_free_is(artist: Tattooist, found: datetime | None) -> None:
    # not a column: the attribute the serializers and the artist page read (a card's, or the page's artist)
    cast("_WithNextFree", artist).next_available = found  # the one place it is set
