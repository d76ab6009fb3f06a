"""HTTP caching for anonymous public reads: versioned ETags, 304s and stored rendered answers.

A cached resource names the version keys it depends on ("catalog" for the artist list,
"artist:<id>" for one artist's portfolio and weekly hours, "slots:<id>" for the bookings and time
off behind a slot list). Every write to a portfolio item, a weekly window, an artist profile, an
artist's user, a booking or a time off bumps those keys in PostgreSQL in the same transaction
(model signals, so services, the Django admin and the staff tools are all covered).

`public_read` decorates the `get` of a DRF view, so an anonymous GET goes through the whole stack
(middleware, DRF's content negotiation, authentication and permissions) and then: the versions are
looked up with one primary-key query and the ETag is derived from them and the request (host, path,
and the query parameters the view declares, `query=`); Django's conditional-response rules answer a
matching If-None-Match with a 304 without running the view; otherwise the rendered answer stored
under that ETag in the Django cache (alias "public": its own bounded Redis, PUBLIC_CACHE_URL,
docs/deploy.md) is served, or the view runs and its rendered answer is stored.

Each decorated view declares the query parameters it reads (`query=("q", "style", "page")`), and
those are all it gets: every other parameter is dropped from the request before the view, the ETag
and the stored answer see it, for every caller, so `?x=<random>` neither makes a new stored answer
(a flood of them cannot fill the store) nor reaches the view. Declared parameters are sorted, so
their order does not matter either. A view that starts reading a new parameter adds its name to the
tuple next to it (undeclared, it would simply never arrive).

Keys embed the versions, so nothing is ever evicted on write and nothing is stale after one. The
answer carries `Cache-Control: public, max-age=0, s-maxage=N, stale-while-revalidate=M`
(settings PUBLIC_CACHE_S_MAXAGE, PUBLIC_CACHE_STALE_WHILE_REVALIDATE) for the reverse proxy or CDN
of docs/deploy.md. Authenticated requests bypass all of this (they stay `private, no-store`).
`public_page` does the same for a page view's HTML (a visitor's home and artist pages).

An answer's texts (a booking status's label, a message) follow the request's language (docs/
i18n.md), so the active language is part of the ETag, hence of the stored answer's key, and the
answer varies on Accept-Language and Cookie (the switcher's cookie): an ETag minted in one language
never earns a 304, nor a stored body, in another.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from rest_framework.request import Request
from rest_framework.views import APIView

if TYPE_CHECKING:
    from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

logger = logging.getLogger("inkbook.http_cache")

CATALOG = "catalog"
# The cache alias holding rendered public answers (tattoo/settings.py), and how long one is kept:
# its key embeds the versions, so this bounds memory, not staleness.
RENDERED_CACHE = "public"
RENDERED_SECONDS = 600
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


_CLOCK_PREFIX = "clock:"


def clock_key(seconds: int) -> str:
    """A pseudo key for answers that also depend on the clock: the ETag (so the stored answer)
    changes every `seconds` even without a write."""
    return f"{_CLOCK_PREFIX}{seconds}"


# Slot lists and artist pages (the booking surface): minimum notice and horizon move with time.
CLOCK = clock_key(60)
# The search's cards (home page, artist list API): their next free time moves with time and with
# bookings, which do not bump the catalog (docs/search.md); kept five minutes, as a preview of the
# artist page and its slot list, which are kept one minute, and the booking, which is always checked.
# A minute made every card page a miss each minute (make load: home and list ~20 % of web time).
LISTING_CLOCK = clock_key(300)


def bump(*keys: str) -> None:
    """Invalidate `keys` inside the writer's transaction: the new version becomes visible exactly
    when the new data does (a reader before the commit sees old data under the old version)."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_SQL, [sorted(set(keys))])


def versions(keys: Iterable[str]) -> str:
    with connection.cursor() as cursor:
        cursor.execute(_LOOKUP_SQL, [sorted(set(keys))])
        stamp: str = cursor.fetchone()[0]  # an aggregate: always one row
        return stamp


def keep_declared_query(request: HttpRequest | Request, names: Iterable[str]) -> None:
    """Leave only the `names` parameters in the request's query, sorted by name (each keeps its
    values in order): what the view reads, and what the ETag, the stored answer and every link the
    answer builds from the request (pagination, the language switcher's `next`) are made of."""
    # a DRF Request wraps Django's
    http_request = request._request if isinstance(request, Request) else request
    kept = QueryDict(mutable=True)
    for name in sorted(set(names)):
        values = http_request.GET.getlist(name)
        if values:
            kept.setlist(name, values)
    query = kept.urlencode()
    http_request.GET = QueryDict(query)  # immutable, as Django makes it
    http_request.META["QUERY_STRING"] = query


def is_anonymous(request: HttpRequest | Request) -> bool:
    return "HTTP_AUTHORIZATION" not in request.META and settings.SESSION_COOKIE_NAME not in request.COOKIES


def etag_for(request: HttpRequest | Request, keys: Iterable[str]) -> str:
    """The ETag of the anonymous answer to `request` under the current versions of `keys`."""
    keys = list(keys)
    stamp = versions(k for k in keys if not k.startswith(_CLOCK_PREFIX))
    for key in sorted(k for k in keys if k.startswith(_CLOCK_PREFIX)):
        seconds = int(key.removeprefix(_CLOCK_PREFIX))
        stamp += f"|{key}={int(time.time() // seconds)}"
    raw = f"{stamp}|{translation.get_language()}|{request.get_host()}|{request.get_full_path()}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def cache_control() -> str:
    return (
        f"public, max-age=0, s-maxage={settings.PUBLIC_CACHE_S_MAXAGE}, "
        f"stale-while-revalidate={settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE}"
    )


_R = TypeVar("_R", bound=HttpResponseBase)


def _public(response: _R, etag: str) -> _R:
    response["ETag"] = etag
    response["Cache-Control"] = cache_control()
    patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
    return response


def _serve(
    request: HttpRequest | Request, keys: list[str], produce: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    """The anonymous answer under `keys`' versions: a 304, the stored rendered answer, or
    `produce()`'s answer, stored once rendered."""
    etag = etag_for(request, keys)
    conditional = get_conditional_response(request, etag=etag)
    if conditional is not None:  # 304 Not Modified (or 412 for a failed If-Match)
        return _public(conditional, etag) if conditional.status_code == 304 else conditional
    key = f"answer:{etag}"
    hit: tuple[bytes, str] | None = stored_get(key)
    if hit is not None:
        body, content_type = hit
        return _public(HttpResponse(body, content_type=content_type), etag)
    response = produce()
    if response.status_code != 200 or response.cookies:
        return response  # errors, and answers that set a cookie, are neither public nor stored

    def keep(rendered: HttpResponse) -> None:
        stored_set(key, (rendered.content, rendered["Content-Type"]), RENDERED_SECONDS)

    if isinstance(response, SimpleTemplateResponse):  # DRF's Response, a TemplateResponse: rendered later
        response.add_post_render_callback(keep)
    elif isinstance(response, HttpResponse):  # a streamed answer is never stored
        keep(response)
    return _public(response, etag)


# A decorated view: an APIView's `get(self, request, **url_kwargs)` or a page view `view(request,
# **url_kwargs)`; the URL's captured values reach `keys_for` as keyword arguments.
_ViewT = TypeVar("_ViewT", bound=APIView)
_ApiGet = Callable[Concatenate[_ViewT, Request, ...], HttpResponseBase]
_PageView = Callable[Concatenate[HttpRequest, ...], HttpResponseBase]


def public_read(
    keys_for: Callable[..., list[str]], *, query: Iterable[str]
) -> Callable[[_ApiGet[_ViewT]], _ApiGet[_ViewT]]:
    """Decorate a DRF view's `get(self, request, **kwargs)`: its anonymous answers are cached as the
    module docstring says. `keys_for(**kwargs)` names the version keys the answer depends on;
    `query` the query parameters the view reads (the only ones it gets)."""
    declared = tuple(query)

    def deco(get: _ApiGet[_ViewT]) -> _ApiGet[_ViewT]:
        @wraps(get)
        def wrapped(view: _ViewT, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
            keep_declared_query(request, declared)
            if not is_anonymous(request):
                return get(view, request, *args, **kwargs)
            return _serve(request, keys_for(**kwargs), lambda: get(view, request, *args, **kwargs))

        return wrapped

    return deco


# The messages framework's cookie (django.contrib.messages' CookieStorage, the first storage of the
# default FallbackStorage): a visitor with one has a flash message to see, so their page is theirs.
_MESSAGES_COOKIE = "messages"


def public_page(keys_for: Callable[..., list[str]], *, query: Iterable[str]) -> Callable[[_PageView], _PageView]:
    """Decorate a page view `view(request, **kwargs)` (GET): the same for the HTML of an anonymous
    visitor (no session, no flash messages waiting in a cookie). Such a page must not depend on
    the visitor: it renders no CSRF token (the language switcher takes none from visitors) and no
    messages. A signed-in visitor's page is rendered for them and never stored. `query`: the query
    parameters the page reads (the only ones it gets)."""
    declared = tuple(query)

    def deco(view: _PageView) -> _PageView:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            keep_declared_query(request, declared)
            if (
                request.method not in ("GET", "HEAD")
                or not is_anonymous(request)
                or _MESSAGES_COOKIE in request.COOKIES
            ):
                return view(request, *args, **kwargs)
            return _serve(request, keys_for(**kwargs), lambda: view(request, *args, **kwargs))

        return wrapped

    return deco


# --- the store ----------------------------------------------------------------------------------

# The store is a cache, never a dependency: an answer it cannot keep or give (the store full under a
# wrong eviction policy, unreachable) is rendered again, not a 500 (docs/deploy.md, "Redis").
try:
    from redis.exceptions import RedisError

    _STORE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)
except ImportError:  # pragma: no cover - the redis package ships with the requirements
    _STORE_ERRORS = (OSError,)


# Any: what stored_set kept under the key (a rendered answer's body and type, a selector's list);
# each caller knows the shape of its own keys.
def stored_get(key: str) -> Any:
    try:
        return caches[RENDERED_CACHE].get(key)
    except _STORE_ERRORS as exc:
        logger.warning("public cache read failed: %s", type(exc).__name__)
        return None


def stored_set(key: str, value: object, timeout: int) -> None:
    try:
        caches[RENDERED_CACHE].set(key, value, timeout)
    except _STORE_ERRORS as exc:
        logger.warning("public cache write failed: %s", type(exc).__name__)


# --- schema -------------------------------------------------------------------------------------


def schema_parameters() -> list[OpenApiParameter]:
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


def schema_responses() -> dict[int, OpenApiResponse]:
    from drf_spectacular.utils import OpenApiResponse

    return {304: OpenApiResponse(description="Not modified: the If-None-Match ETag is current (anonymous reads).")}
