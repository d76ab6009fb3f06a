"""One error family, one exception handler, one error shape.

Every 4xx/5xx body from the API is ``{"code": str, "message": str, "fields": {name: [msg, ...]}}``
(``fields`` is empty unless the request body or query failed validation; field names are the
camelCase names clients send). ``message`` and the field messages are in the request's language
(docs/i18n.md); ``code`` never changes with it.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger("inkbook.errors")


class ApplicationError(Exception):
    """A request that breaks a business rule: 400."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    # `message` and the field messages are translated where they are raised (gettext, or a
    # module-level gettext_lazy constant): they are read in the request's language.
    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}


class ConflictError(ApplicationError):
    """The state of the world does not allow this now (slot taken, illegal move, already paid): 409."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class NotAllowedError(ApplicationError):
    """Authenticated but not allowed: 403."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"


class NotFoundError(ApplicationError):
    """A service was asked about an object that does not exist (or that the caller may not know of): 404."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class RateLimited(ApplicationError):
    """Too many actions of one kind by one user (tattoo/core/rates.py): 429 with Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


class UpstreamUnavailable(ApplicationError):
    """A service we depend on (the QPay worker, the bucket) did not answer: 503."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "upstream_unavailable"


def _flatten(detail: object) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for i, item in enumerate(value):
                    for sub, msgs in _flatten(item).items():
                        out[f"{key}.{i}.{sub}"] = msgs
            elif isinstance(value, list):
                out[key] = [str(v) for v in value]
            else:
                out[key] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"nonFieldErrors": [str(v) for v in detail]}
    return {"nonFieldErrors": [str(detail)]}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, object]:
    return {"code": code, "message": message, "fields": fields or {}}


_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
}


def exception_handler(exc: Exception, context: dict[str, object]) -> Response | None:
    if isinstance(exc, ApplicationError):
        set_rollback()
        fields = {name: [str(m) for m in msgs] for name, msgs in exc.fields.items()}
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return Response(error_body(exc.code, str(exc.message), fields), status=exc.status_code, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"nonFieldErrors": exc.messages}
        )
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: Django's handler500 answers with the generic JSON 500

    headers = {}
    auth_header, wait = getattr(exc, "auth_header", None), getattr(exc, "wait", None)
    if auth_header:
        headers["WWW-Authenticate"] = str(auth_header)
    if wait:
        headers["Retry-After"] = str(int(wait))
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), [_("Invalid input.")])[0]
        body = error_body("invalid", _("Invalid input: %(first)s") % {"first": first}, fields)
    else:
        known = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), None)
        detail = exc.detail
        if isinstance(detail, dict) and "code" in detail and "message" in detail:
            body = error_body(str(detail["code"]), str(detail["message"]))
        else:
            codes = exc.get_codes()
            body = error_body(known or (codes if isinstance(codes, str) else "error"), str(detail))
    return Response(body, status=exc.status_code, headers=headers)
