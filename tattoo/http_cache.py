"""HTTP caching for anonymous public reads: versioned ETags, 304s and a rendered-answer cache.

A cached resource names the version keys it depends on ("catalog" for the artist list,
"artist:<id>" for one artist's portfolio and weekly hours). Every write to a portfolio item, a
weekly window, an artist profile or an artist's user bumps those keys in PostgreSQL in the same
transaction (model signals, so services, the Django admin and the staff tools are all covered).
A read looks the versions up with one primary-key query and derives the ETag from them and the
exact request (host, path, query): a matching If-None-Match gets a 304 without touching the
view, and a miss is served from a small per-process cache of rendered bodies keyed by that ETag.
Both are therefore never stale after a write. Authenticated requests bypass all of this (they stay `private, no-store`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

from tattoo import prepared

CATALOG = "catalog"
# Set in the WSGI environ by tattoo/front.py when it looked the versions up and then handed the
# request to the stack: public_cache reuses that ETag instead of repeating the query.
ETAG_KEY = "inkbook.public_cache_etag"
_BUMP_SQL = (
    "INSERT INTO cache_versions (key, version) SELECT k, (random() * 1e12)::bigint FROM unnest(%s::varchar[]) AS k "
    "ON CONFLICT (key) DO UPDATE SET version = cache_versions.version + 1"
)
# A counter starts at a random value so an ETag minted against one database cannot match the
# answer of a recreated one whose counters started over.
_LOOKUP_SQL = (
    "SELECT coalesce(string_agg(key || '=' || version, ',' ORDER BY key), '') "
    "FROM cache_versions WHERE key = ANY(%s::varchar[])"
)


def artist_key(tattooist_id: int) -> str:
    return f"artist:{tattooist_id}"


def slots_key(tattooist_id: int) -> str:
    """Bookings and time off of one artist: only the slot list depends on them."""
    return f"slots:{tattooist_id}"


# A pseudo key for answers that also depend on the clock (slots: minimum notice and horizon move
# with time): the ETag then changes every minute even without a write.
CLOCK = "clock:minute"


def bump(*keys: str) -> None:
    """Invalidate `keys` inside the writer's transaction: the new version becomes visible exactly
    when the new data does (a reader before the commit sees old data under the old version)."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_SQL, [sorted(set(keys))])


def versions(keys: Iterable[str]) -> str:
    return prepared.fetchall(_LOOKUP_SQL, [sorted(set(keys))])[0][0]


class _Rendered:
    """A bounded LRU of rendered bodies per process; keys embed the versions, so no eviction on write."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: str, value: tuple[bytes, str]) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


rendered = _Rendered(size=1024)

# The full header set of the stack's last 200 per (route, https), for tattoo/front.py: it depends
# on settings and the route only, never on the data.
header_templates: dict[tuple[str, bool], tuple[tuple[str, str], ...]] = {}


def _settings_changed(**kwargs) -> None:
    header_templates.clear()


def is_anonymous(request) -> bool:
    return "HTTP_AUTHORIZATION" not in request.META and settings.SESSION_COOKIE_NAME not in request.COOKIES


def etag_for(request, keys: Iterable[str]) -> str:
    """The ETag of the anonymous answer to `request` under the current versions of `keys`."""
    keys = list(keys)
    stamp = versions(k for k in keys if k != CLOCK)
    if CLOCK in keys:
        stamp += f"|t{int(time.time() // 60)}"
    raw = f"{stamp}|{request.get_host()}|{request.get_full_path()}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def _decorate(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"
    response["Vary"] = "Authorization, Cookie"
    return response


def public_cache(keys_for: Callable[..., list[str]]):
    """Wrap a view function (`SomeApi.as_view()`) so its anonymous GETs are cached as described above."""

    def deco(view):
        # A hit is answered before DRF, which would have added the Allow header: add it here.
        allow = None
        if getattr(view, "cls", None) is not None:
            instance = view.cls(**view.initkwargs)
            if hasattr(instance, "get") and not hasattr(instance, "head"):
                instance.head = instance.get  # as View.setup() does for every request
            allow = ", ".join(instance.allowed_methods)

        def hit_answer(response: HttpResponse, etag: str) -> HttpResponse:
            if allow is not None:
                response["Allow"] = allow
            return _decorate(response, etag)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or not is_anonymous(request):
                return view(request, *args, **kwargs)
            # The front (tattoo/front.py) may have looked the versions up already.
            etag = request.META.get(ETAG_KEY) or etag_for(request, keys_for(**kwargs))
            if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
                return hit_answer(HttpResponseNotModified(), etag)
            hit = rendered.get(etag)
            if hit is not None:
                return hit_answer(HttpResponse(hit[0], content_type=hit[1]), etag)
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            if hasattr(response, "render"):
                response.render()
            rendered.put(etag, (response.content, response["Content-Type"]))
            return _decorate(response, etag)

        return wrapped

    return deco


# --- invalidation --------------------------------------------------------------------------------


def _portfolio_changed(sender, instance, **kwargs) -> None:
    bump(CATALOG, artist_key(instance.tattooist_id))


def _availability_changed(sender, instance, **kwargs) -> None:
    bump(artist_key(instance.tattooist_id))


def _tattooist_changed(sender, instance, **kwargs) -> None:
    bump(CATALOG, artist_key(instance.pk))


def _schedule_changed(sender, instance, **kwargs) -> None:
    bump(slots_key(instance.tattooist_id))


def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    # Logins save last_login only: not a public change, and far too frequent to invalidate on.
    if instance.role != "tattooist":
        return
    if update_fields is not None and not ({"name", "is_active", "role"} & set(update_fields)):
        return
    tattooist_id = getattr(getattr(instance, "tattooist", None), "pk", None) if instance.pk else None
    bump(CATALOG, *([artist_key(tattooist_id)] if tattooist_id else []))


def connect_signals() -> None:
    from accounts.models import Tattooist, User
    from bookings.models import Availability, Booking, TimeOff
    from portfolio.models import PortfolioItem

    setting_changed.connect(_settings_changed, dispatch_uid="http_cache_settings")
    for signal in (post_save, post_delete):
        signal.connect(_portfolio_changed, sender=PortfolioItem, dispatch_uid=f"http_cache_portfolio_{signal}")
        signal.connect(_tattooist_changed, sender=Tattooist, dispatch_uid=f"http_cache_tattooist_{signal}")
        signal.connect(_availability_changed, sender=Availability, dispatch_uid=f"http_cache_availability_{signal}")
        signal.connect(_user_changed, sender=User, dispatch_uid=f"http_cache_user_{signal}")
        # every booking write (create, each status move via booking_move's save, expiry) and time off
        signal.connect(_schedule_changed, sender=Booking, dispatch_uid=f"http_cache_booking_{signal}")
        signal.connect(_schedule_changed, sender=TimeOff, dispatch_uid=f"http_cache_time_off_{signal}")


# --- schema -------------------------------------------------------------------------------------


def schema_parameters():
    """The conditional-request header, for extend_schema(parameters=...) of a cached operation."""
    from drf_spectacular.utils import OpenApiParameter

    return [
        OpenApiParameter(
            "If-None-Match",
            str,
            OpenApiParameter.HEADER,
            description="An ETag from an earlier anonymous answer; 304 when it is still current.",
        )
    ]


def schema_responses() -> dict:
    from drf_spectacular.utils import OpenApiResponse

    return {304: OpenApiResponse(description="Not modified: the If-None-Match ETag is current (anonymous reads).")}
