"""The front of the WSGI entry point: anonymous reads of the cached public routes, without the stack.

tattoo/wsgi.py wraps Django's WSGI handler in PublicReadFront. For a GET of one of the routes
below with no credentials (no Authorization header, no session cookie) it does what the full
stack would do, at a fraction of the cost: the same one-query ETag as tattoo/http_cache.py, then
a 304, the rendered answer from the per-process cache, or (for the routes that have one) the
view's own answer function, which reads a page in one SQL statement. Everything else goes to
Django unchanged, and so does any request the front cannot answer exactly as the stack would:
the first request per route and scheme in a process (the stack's headers are not known yet), a
host outside ALLOWED_HOSTS, plain http under SECURE_SSL_REDIRECT, `?format=`, an Accept header
without plain JSON (DRF negotiates those), an error answer
(404, a 400 on a bad parameter), a database error, or a connection due for recycling.

What the stack adds to an anonymous public read is its headers (security headers, CSP, HSTS on
https, Vary, Allow, Cache-Control): the front copies them from the last 200 the stack gave for
that route and scheme in this process, so both answers carry the same headers (tests compare
them). It skips Django's request_started/request_finished signals, so its database use follows
the connection's own rules: a health check only after a request of the stack, and a connection
older than CONN_MAX_AGE is handed back to the stack to be closed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.http import Http404
from django.utils.http import parse_etags
from rest_framework.exceptions import APIException

from tattoo import http_cache
from tattoo.errors import ApplicationError

request_log = logging.getLogger("inkbook.request")
log = logging.getLogger(__name__)

_PER_ANSWER = frozenset({"etag", "content-length", "content-type"})


@dataclass(frozen=True)
class Route:
    name: str
    pattern: re.Pattern[str]
    keys: Callable[..., list[str]]
    # Renders a cache miss (raises Http404 / an APIException for the stack to answer); None: the
    # front serves only hits of this route and its misses go through the stack.
    answer: Callable[..., object] | None = None


def routes() -> tuple[Route, ...]:
    from bookings.api import tattooist_list_answer
    from portfolio.api import portfolio_public_answer

    artist = http_cache.artist_key
    return (
        Route(
            "portfolio",
            re.compile(r"/api/portfolio/(?P<pk>[0-9]{1,18})"),
            lambda pk: [artist(int(pk))],
            lambda request, pk: portfolio_public_answer(request, int(pk)),
        ),
        Route("tattooists", re.compile(r"/api/tattooists"), lambda: [http_cache.CATALOG], tattooist_list_answer),
        Route("availability", re.compile(r"/api/availability/(?P<pk>[0-9]{1,18})"), lambda pk: [artist(int(pk))]),
        Route(
            "slots",
            re.compile(r"/api/tattooists/(?P<pk>[0-9]{1,18})/slots"),
            lambda pk: [artist(int(pk)), http_cache.slots_key(int(pk)), http_cache.CLOCK],
        ),
    )


def _status_line(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


class PublicReadFront:
    """WSGI middleware around Django's handler; see the module docstring."""

    def __init__(self, app) -> None:
        self.app = app
        self.routes = routes()

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/api/"):
            return self.app(environ, start_response)
        for route in self.routes:
            match = route.pattern.fullmatch(path)
            if match:
                break
        else:
            return self.app(environ, start_response)
        started = time.perf_counter()
        request = WSGIRequest(environ)
        secure = request.is_secure()
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or "format" in request.GET
            or not _accepts_json(environ.get("HTTP_ACCEPT"))
        ):
            return self.app(environ, start_response)
        template = http_cache.header_templates.get((route.name, secure))
        answered = None
        if template is not None and (secure or not settings.SECURE_SSL_REDIRECT) and not _connection_due():
            try:
                answered = self._answer(request, route, match.groupdict())
            except (Http404, APIException, ApplicationError, DisallowedHost):
                answered = None  # an error answer (404, 400): the stack renders it
            except Exception:
                # A database error or a bug: never worse than the stack, which answers (and, for a
                # broken connection, closes it: errors_occurred sends the next request there too).
                log.exception("public read front failed for %s; the stack answers", path)
                answered = None
        if answered is None:
            return self.app(environ, self._remembering(start_response, (route.name, secure)))
        status, body, content_type, etag = answered
        headers = list(template)
        if content_type is not None:
            headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        headers.append(("ETag", etag))
        start_response(_status_line(status), headers)
        request_log.info(
            "request method=GET path=%s status=%s duration_ms=%.1f user_id=-",
            path,
            status,
            (time.perf_counter() - started) * 1000,
        )
        return [body]

    def _answer(self, request, route: Route, kwargs: dict) -> tuple[int, bytes, str | None, str] | None:
        etag = http_cache.etag_for(request, route.keys(**kwargs))
        request.META[http_cache.ETAG_KEY] = etag  # reused by the stack if it answers
        if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
            return 304, b"", None, etag
        hit = http_cache.rendered.get(etag)
        if hit is not None:
            return 200, hit[0], hit[1], etag
        if route.answer is None:
            return None
        response = route.answer(request, **kwargs)
        if response.status_code != 200:
            return None
        content_type = response["Content-Type"]
        http_cache.rendered.put(etag, (response.content, content_type))
        return 200, response.content, content_type, etag

    @staticmethod
    def _remembering(start_response, slot: tuple[str, bool]):
        """start_response that keeps the header set of the stack's cacheable 200s for the front."""

        def remember(status: str, headers, exc_info=None):
            if status.startswith("200 ") and exc_info is None:
                names = {name.lower(): value for name, value in headers}
                public = names.get("cache-control", "").startswith("public")
                if public and "etag" in names and "set-cookie" not in names:
                    http_cache.header_templates[slot] = tuple(
                        (name, value) for name, value in headers if name.lower() not in _PER_ANSWER
                    )
            return start_response(status, headers, exc_info)

        return remember


_JSON_RANGES = frozenset({"*/*", "application/*", "application/json"})


def _accepts_json(accept: str | None) -> bool:
    """JSON is acceptable: no Accept header, or a range that names it; anything else (a 406) is
    left to DRF's content negotiation."""
    if not accept:
        return True
    return any(part.split(";", 1)[0].strip().lower() in _JSON_RANGES for part in accept.split(","))


def _connection_due() -> bool:
    """The connection has outlived CONN_MAX_AGE (or saw an error): the stack closes and reopens it."""
    if connection.connection is None:
        return False
    if connection.errors_occurred:
        return True
    return connection.close_at is not None and time.monotonic() >= connection.close_at
