"""OpenAPI: every operation documents the shared error shape for the codes it can return."""

from __future__ import annotations

from typing import Any, TypeVar

from drf_spectacular import openapi
from drf_spectacular.utils import Direction, extend_schema_field
from rest_framework import serializers

# Any field class, whatever it reads, writes and represents
_F = TypeVar("_F", bound=serializers.Field[Any, Any, Any, Any])


def documented(field: _F, **schema: object) -> _F:
    """`field` validated as DRF validates it, stated in the OpenAPI document as `schema`: for a
    constraint a service enforces with its own error code (a whole MNT deposit, an upload's type and
    size), so generated clients check it before sending without the API's answers changing."""
    # On a class of its own: serializers copy declared fields by constructing their class again.
    documented_class = type(type(field).__name__, (type(field),), {"__module__": __name__})
    extend_schema_field(schema)(documented_class)
    field.__class__ = documented_class
    return field


class FieldErrorsField(serializers.DictField):
    child = serializers.ListField(child=serializers.CharField())


class ErrorSerializer(serializers.Serializer[dict[str, object]]):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. invalid, slot_taken, not_found.")
    message = serializers.CharField(help_text="Human-readable explanation.")
    # The body's `fields` key. DRF's metaclass moves declared fields out of the class, so the
    # serializer's own `fields` property is untouched at run time; the stubs cannot know that.
    fields = FieldErrorsField(  # type: ignore[assignment]
        help_text="Per-field messages, keyed by the request's field names."
    )

    class Meta:
        ref_name = "Error"


class AutoSchema(openapi.AutoSchema):
    def _error_codes(self) -> list[int]:
        codes = [400]
        auth_required = any(
            getattr(p, "__name__", type(p).__name__) != "AllowAny"
            for p in (self.view.get_permissions() if hasattr(self.view, "get_permissions") else [])
        )
        if auth_required:
            codes += [401, 403]
        codes.append(429)
        if "{" in self.path:
            codes.append(404)
        if self.method in ("POST", "PATCH", "PUT", "DELETE"):
            # writes may name other objects in the body (bookingId, tattooistId): unknown → 404
            codes += [404, 409]
        codes.extend(getattr(self.view, "extra_error_codes", ()))
        return sorted(set(codes))

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            # drf-spectacular leaves this helper unannotated (its answer is one response's schema)
            error = self._get_response_for_code(  # type: ignore[no-untyped-call]
                ErrorSerializer, str(code), direction=direction
            )
            responses.setdefault(str(code), error)
        return responses
