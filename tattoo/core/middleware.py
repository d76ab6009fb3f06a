from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware

from tattoo.core.logging import redact

request_log = logging.getLogger("inkbook.request")


class RequestLogMiddleware:
    """One structured line per request: method, path (no query string), status, duration, user id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
    asks for no-store there). The anonymous public reads that tattoo/core/http_cache.py serves set
    their own `public` Cache-Control with a versioned ETag; everything else is `private, no-store`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]  # WhiteNoise ships no types
    """WhiteNoise, scanning the static finders once per process.

    Django builds a middleware chain per request handler: once per process in production (where
    WhiteNoise serves the collected files and never asks the finders), but once per test client in
    the suite, which serves static files through the finders (STATIC_MANIFEST=false), so every
    client scanned and stat'ed all ~180 files again: ~70 ms a client, a quarter of a typical API
    test module's time (docs/development.md). The table is the same for every chain of a process
    as long as the settings it is built from are (a test overriding WHITENOISE_* settings would
    need its own; none does).
    """

    files: dict[str, Any]  # WhiteNoise's url -> file table
    _finder_files: ClassVar[dict[str, Any] | None] = None

    def add_files_from_finders(self) -> None:
        cls = type(self)
        if cls._finder_files is None:
            own: dict[str, Any] = self.files
            self.files = {}
            super().add_files_from_finders()  # fills self.files
            cls._finder_files = self.files
            self.files = own
        self.files.update(cls._finder_files)
