from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tattoo.core import images
from tattoo.core.schema import documented
from tattoo.core.uploads import ALLOWED_TYPES, FOLDERS

# An upload's file name ends in an extension of an allowed type, in any case (tattoo/core/uploads/keys.py).
_EXTENSION_PATTERN = "|".join(
    "".join(f"[{c.lower()}{c.upper()}]" for c in ext)
    for ext in sorted({e for exts in ALLOWED_TYPES.values() for e in exts})
)


class UploadPresignSerializer(serializers.Serializer[None]):  # input only: it never wraps an instance
    filename = documented(
        serializers.CharField(
            max_length=255, help_text="Its extension must agree with contentType; a sanitised copy is kept as metadata."
        ),
        type="string",
        minLength=1,
        maxLength=255,
        pattern=rf"[^/\\]+\.(?:{_EXTENSION_PATTERN})$",
    )
    content_type = documented(
        serializers.CharField(
            max_length=100, help_text="One of: " + ", ".join(ALLOWED_TYPES) + "; must agree with the extension."
        ),
        type="string",
        enum=list(ALLOWED_TYPES),
    )
    folder = serializers.ChoiceField(
        choices=FOLDERS,
        default="ideas",
        help_text="`portfolio` and `avatars` need the tattooist role, `reviews` (healed photos) the customer role; "
        "`consultations` holds the private photos of consultation requests and their messages.",
    )
    # Required (docs/api.md; the contract first showed it optional): the signed URL only accepts a
    # body of exactly this size.
    size = documented(
        serializers.IntegerField(
            help_text=f"Exact size in bytes, 1 to UPLOAD_MAX_BYTES ({settings.UPLOAD_MAX_BYTES})."
        ),
        type="integer",
        minimum=1,
        maximum=settings.UPLOAD_MAX_BYTES,
    )


class PresignedUploadSerializer(serializers.Serializer[dict[str, Any]]):  # dataclasses.asdict(PresignedUpload)
    upload_url = serializers.URLField(help_text="PUT the file here, with exactly `headers`, before `expiresAt`.")
    public_url = serializers.URLField(
        help_text="The upload's URL: send it as `imageUrl`. Uploads are private (an unsigned GET is refused); "
        "what a record serves is a re-encoded copy without camera metadata."
    )
    key = serializers.CharField()
    expires_at = serializers.DateTimeField()
    headers = serializers.DictField(
        child=serializers.CharField(),
        help_text="Send every header exactly; the body must be exactly `size` bytes (Content-Length).",
    )


# --- fields of an object carrying an image (tattoo/core/images.py) -----------------------------

_THUMBNAILS_SCHEMA = {
    "type": "object",
    "description": "WebP variants of the image by width in pixels, made within seconds of the attach "
    "(empty until then); a width wider than the image is never made. Private images' URLs are signed "
    "and short-lived.",
    "properties": {str(w): {"type": "string", "format": "uri"} for w in images.VARIANT_WIDTHS},
    "additionalProperties": False,
}


class ImageCarrier(Protocol):
    """A record carrying an image (tattoo.core.models.ImageFields and its key column)."""

    @property
    def image_key(self) -> str: ...

    @property
    def image_variants(self) -> list[int] | None: ...


@extend_schema_field(_THUMBNAILS_SCHEMA)
class ThumbnailsField(serializers.Field[ImageCarrier, object, dict[str, str], object]):
    """``{"320": url, "640": url, "1280": url}`` of a record's image kind (those made so far)."""

    # Any: the options of DRF's Field, passed on unchanged
    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj: ImageCarrier) -> dict[str, str]:
        return images.thumbnails(self.kind, obj.image_key, obj.image_variants)


@extend_schema_field(OpenApiTypes.URI)
class ImageUrlField(serializers.Field[ImageCarrier, object, str | None, object]):
    """The served image's URL: public, or for a private kind a signed GET valid IMAGE_URL_EXPIRES_SECONDS."""

    # Any: the options of DRF's Field, passed on unchanged
    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(source="*", read_only=True, allow_null=True, **kwargs)

    def to_representation(self, obj: ImageCarrier) -> str | None:
        return images.url_for(self.kind, obj.image_key)
