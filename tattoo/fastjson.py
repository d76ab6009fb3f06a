"""A JSON answer built without serializers or the camelCase renderer, for hot public reads.

The bytes are exactly what DRF's CamelCaseJSONRenderer would give for the same (already
camelCased) data: compact separators, UTF-8 not escaped, U+2028/U+2029 escaped, ISO 8601
datetimes in the current zone with `Z` for UTC (tests compare both paths byte for byte).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone


def iso_formatter() -> Callable[[datetime | None], str | None]:
    """A datetime as DRF renders it (ISO 8601 in the current zone, `Z` for UTC); the zone is
    looked up once, for a page of rows."""
    zone = timezone.get_current_timezone()

    def iso_in_zone(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso_in_zone


def dumps(data) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def json_response(data, status: int = 200) -> HttpResponse:
    return HttpResponse(dumps(data), status=status, content_type="application/json")
