"""`Idempotency-Key` on create endpoints, after Stripe's idempotent requests.

A client that sends the header gets at most one execution per (user, key): the first request
claims the key in its own short, committed transaction *before* the work (so a concurrent
duplicate sees the claim), and its response is stored once the endpoint has run. A later request
with the same key replays that response; with another method, path or body it is refused (422);
while the first still runs it is refused (409). 5xx results, 503 upstream failures and unexpected
exceptions release the claim so the client may retry with the same key; a claim left in flight by
a process that died is taken over by the same request retried after IN_FLIGHT_LEASE. Without the header the
endpoint behaves exactly as before (the header is optional, docs/api.md: older clients do not send it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Concatenate, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tattoo.core.errors import ApplicationError, ConflictError
from tattoo.core.models import IdempotencyKey, IdempotencyStatus
from tattoo.core.schema import ErrorSerializer

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIFETIME = timedelta(hours=24)
# A claim still in flight after this long belongs to a request that died (its process was killed
# between the claim and the stored response): the same request, retried, takes it over. Far above
# any request's run time (gunicorn's timeout is 30 s; outbound calls to the worker time out sooner).
IN_FLIGHT_LEASE = timedelta(minutes=2)
_VALID_KEY = re.compile(r"[ -~]{1,255}")  # printable ASCII (space to tilde), e.g. a UUID

SCHEMA_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional; 1-255 printable ASCII characters, e.g. a UUID, unique per attempt. Retrying with the "
        "same key and the same body replays the first response (status and body, with the header "
        "`Idempotent-Replayed: true`) instead of acting twice. The same key with another body → 422 "
        "`idempotency_key_reused`; while the first request still runs → 409 `idempotency_in_flight`. "
        "Keys are per user and kept at least 24 hours; 5xx responses are not kept, so a retry runs again."
    ),
)
SCHEMA_RESPONSES = {
    422: OpenApiResponse(ErrorSerializer, description="`Idempotency-Key` already used for a different request."),
}


class IdempotencyKeyReused(ApplicationError):
    status_code = 422
    default_code = "idempotency_key_reused"


def _validated_key(raw: str) -> str:
    if not _VALID_KEY.fullmatch(raw):
        raise ApplicationError(
            _("`%(header)s` is not a usable key.") % {"header": HEADER},
            code="invalid",
            fields={HEADER: [_("1 to 255 printable ASCII characters.")]},
        )
    return raw


def _request_hash(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _claim(*, user_id: int, key: str, request_hash: str) -> IdempotencyKey | None:
    """Claim the key (committed at once) and return None, or return the row that already holds it."""
    for _attempt in range(3):  # the holder may release its claim between our INSERT and SELECT
        with transaction.atomic(), connection.cursor() as cursor:
            now = timezone.now()
            # A new claim, or the take-over of an abandoned one for the same request. Two retries
            # racing for an abandoned claim: the second waits for the first's row lock, then sees
            # the fresh created_at, so only one takes it over.
            cursor.execute(
                "INSERT INTO idempotency_keys AS held (user_id, key, request_hash, status, created_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (user_id, key) DO UPDATE SET created_at = EXCLUDED.created_at"
                " WHERE held.status = EXCLUDED.status AND held.request_hash = EXCLUDED.request_hash"
                " AND held.created_at < %s RETURNING id",
                [user_id, key, request_hash, IdempotencyStatus.IN_FLIGHT, now, now - IN_FLIGHT_LEASE],
            )
            if cursor.fetchone() is not None:
                return None
        existing = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
        if existing is not None:
            return existing
    raise ConflictError(_("This key is busy; retry shortly."), code="idempotency_in_flight")


def _release(*, user_id: int, key: str) -> None:
    IdempotencyKey.objects.filter(user_id=user_id, key=key, status=IdempotencyStatus.IN_FLIGHT).delete()


def _store(*, user_id: int, key: str, response: Response) -> None:
    IdempotencyKey.objects.filter(user_id=user_id, key=key).update(
        status=IdempotencyStatus.DONE, response_status=response.status_code, response_body=response.data
    )


# An APIView's `post(self, request, **url_kwargs)`
_ViewT = TypeVar("_ViewT", bound=APIView)
_Post = Callable[Concatenate[_ViewT, Request, ...], Response]


def idempotent(view_method: _Post[_ViewT]) -> _Post[_ViewT]:
    """Decorate an APIView's `post`: honour an optional `Idempotency-Key` header for its user."""

    @functools.wraps(view_method)
    def wrapper(self: _ViewT, request: Request, *args: Any, **kwargs: Any) -> Response:
        raw = request.headers.get(HEADER)
        user_id = request.user.pk if request.user.is_authenticated else None
        if raw is None or user_id is None:
            return view_method(self, request, *args, **kwargs)
        key = _validated_key(raw)
        fingerprint = _request_hash(request)
        existing = _claim(user_id=user_id, key=key, request_hash=fingerprint)
        if existing is not None:
            if existing.request_hash != fingerprint:
                raise IdempotencyKeyReused(
                    _("This `%(header)s` was already used for a different request.") % {"header": HEADER},
                    fields={HEADER: [_("Use a new key for a new request.")]},
                )
            if existing.status == IdempotencyStatus.IN_FLIGHT:
                raise ConflictError(
                    _("A request with this key is still being processed; retry shortly."), code="idempotency_in_flight"
                )
            return Response(existing.response_body, status=existing.response_status, headers={REPLAYED_HEADER: "true"})
        try:
            try:
                response = view_method(self, request, *args, **kwargs)
            except Exception as exc:
                # the error response the client would get; unexpected errors re-raise (→ 500)
                response = self.handle_exception(exc)
            if response.status_code >= 500:
                _release(user_id=user_id, key=key)
            else:
                _store(user_id=user_id, key=key, response=response)
        except BaseException:
            _release(user_id=user_id, key=key)
            raise
        return response

    return wrapper


def idempotency_keys_purge(*, older_than: timedelta = KEY_LIFETIME) -> int:
    """Delete keys claimed more than `older_than` ago; return how many."""
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
