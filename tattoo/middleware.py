from __future__ import annotations

import logging
import re
import time

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

from tattoo import http_cache
from tattoo.logging import redact

request_log = logging.getLogger("inkbook.request")


class RequestLogMiddleware:
    """One structured line per request: method, path (no query string), status, duration, user id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        user = getattr(request, "user", None)
        user_id = getattr(user, "pk", None) if user is not None and user.is_authenticated else None
        if user_id is None:
            user_id = getattr(request, "api_user_id", None)
        request_log.info(
            "request method=%s path=%s status=%s duration_ms=%.1f user_id=%s",
            request.method,
            redact(request.path),
            response.status_code,
            duration_ms,
            user_id if user_id is not None else "-",
        )
        return response


class ApiCacheControlMiddleware:
    """API answers must never be stored by shared caches unless a view opted in.

    Authenticated answers are personal, and anonymous POST answers carry tokens (RFC 6749 5.1
    asks for no-store there). The anonymous public reads that tattoo/http_cache.py serves set
    their own `public` Cache-Control with a versioned ETag; everything else is `private, no-store`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


class PublicCacheFastPathMiddleware:
    """Serve repeat anonymous GETs of the cached public reads without the rest of the stack.

    First in MIDDLEWARE. For an anonymous GET of a route that tattoo/http_cache.py caches, it does
    what the view decorator would do on a hit (one version lookup, the same ETag) and answers a
    304 or the stored body itself, with the exact headers the full stack gave the last miss of
    that route (security headers, CSP, Vary, Allow...), captured per route and scheme. Anything
    else (a miss, an error, a request with credentials, a first request in this process) goes
    down the normal stack unchanged, so the answers and their freshness are those of the
    decorator; only the cost differs. It logs the same request line as RequestLogMiddleware.
    """

    _ROUTES = (
        (re.compile(r"/api/portfolio/([0-9]+)"), "portfolio", lambda pk: [http_cache.artist_key(int(pk))]),
        (re.compile(r"/api/tattooists"), "tattooists", lambda: [http_cache.CATALOG]),
        (re.compile(r"/api/availability/([0-9]+)"), "availability", lambda pk: [http_cache.artist_key(int(pk))]),
        (
            re.compile(r"/api/tattooists/([0-9]+)/slots"),
            "slots",
            lambda pk: [http_cache.artist_key(int(pk)), http_cache.slots_key(int(pk)), http_cache.CLOCK],
        ),
    )
    _PER_ANSWER = frozenset({"etag", "content-length", "content-type"})

    def __init__(self, get_response):
        self.get_response = get_response

    def _route(self, path: str):
        for pattern, name, keys_for in self._ROUTES:
            match = pattern.fullmatch(path)
            if match:
                return name, keys_for(*match.groups())
        return None

    def __call__(self, request):
        if request.method != "GET" or not request.path.startswith("/api/") or not http_cache.is_anonymous(request):
            return self.get_response(request)
        route = self._route(request.path_info)
        if route is None or (settings.SECURE_SSL_REDIRECT and not request.is_secure()):
            return self.get_response(request)
        started = time.perf_counter()
        name, keys = route
        slot = (name, request.is_secure())
        template = http_cache.header_templates.get(slot)
        if template is not None:
            try:
                etag = http_cache.etag_for(request, keys)
            except DisallowedHost:
                return self.get_response(request)
            response = None
            if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
                response = HttpResponseNotModified()
                del response["Content-Type"]
            else:
                hit = http_cache.rendered.get(etag)
                if hit is not None:
                    response = HttpResponse(hit[0], content_type=hit[1])
                    response["Content-Length"] = str(len(hit[0]))
            if response is not None:
                for header, value in template:
                    response[header] = value
                response["ETag"] = etag
                request_log.info(
                    "request method=%s path=%s status=%s duration_ms=%.1f user_id=%s",
                    request.method,
                    request.path,
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                    "-",
                )
                return response
            request.public_cache_etag = etag
        response = self.get_response(request)
        if (
            response.status_code == 200
            and response.has_header("ETag")
            and response.get("Cache-Control", "").startswith("public")
            and not response.cookies
        ):
            http_cache.header_templates[slot] = tuple(
                (k, v) for k, v in response.items() if k.lower() not in self._PER_ANSWER
            )
        return response
