"""The API's JSON renderer: camelCase keys, then DRF's JSONRenderer.

The same bytes as djangorestframework-camel-case's CamelCaseJSONRenderer (tests compare them),
whose `camelize` runs a regex substitution on every key of every answer; here each key's
camelCase form is computed once per process. The project sets no `JSON_UNDERSCOREIZE` options
(ignore_fields/ignore_keys), so there are none to honour.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.utils.encoding import force_str
from django.utils.functional import Promise
from djangorestframework_camel_case.util import camelize_re, underscore_to_camel
from rest_framework.renderers import JSONRenderer

_SCALARS = (str, int, float, type(None))


@lru_cache(maxsize=4096)
def _camel_key(key: str) -> str:
    key_camel: str = camelize_re.sub(underscore_to_camel, key)
    return key_camel


# Any: whatever a serializer answers (dicts, lists, scalars, Decimals, datetimes...), then the same
# shape with camelCase keys.
def camelize(data: Any) -> Any:
    """djangorestframework_camel_case.util.camelize without options, key conversions cached."""
    if isinstance(data, _SCALARS):
        return data
    if isinstance(data, Promise):
        return force_str(data)
    if isinstance(data, dict):
        out: dict[object, Any] = {}
        for key, value in data.items():
            if isinstance(key, Promise):
                key = force_str(key)
            out[_camel_key(key) if isinstance(key, str) and "_" in key else key] = camelize(value)
        return out
    if isinstance(data, list):
        return [camelize(item) for item in data]
    try:
        items = iter(data)
    except TypeError:
        return data  # a Decimal, datetime, UUID...: the JSON encoder's business
    return [camelize(item) for item in items]


class CamelCaseJSONRenderer(JSONRenderer):
    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        return super().render(camelize(data), accepted_media_type, renderer_context)
