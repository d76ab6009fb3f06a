from __future__ import annotations

from rest_framework import serializers

from portfolio.services import MAX_TAG_LENGTH, MAX_TAGS
from tattoo.core.serializers import ThumbnailsField

_TAGS_HELP = (
    f"Normalised: lower case, trimmed, duplicates dropped; at most {MAX_TAGS} tags of at most "
    f"{MAX_TAG_LENGTH} characters."
)


# A PortfolioItem. Declared fields rather than a ModelSerializer: it renders every public
# portfolio page, and a ModelSerializer rebuilds its fields from the model on each use.
class PortfolioItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    tattooist_id = serializers.IntegerField(read_only=True)
    image_url = serializers.URLField(read_only=True, help_text="The re-encoded image (no camera metadata).")
    image_width = serializers.IntegerField(read_only=True, allow_null=True, help_text="Pixels.")
    image_height = serializers.IntegerField(read_only=True, allow_null=True, help_text="Pixels.")
    thumbnails = ThumbnailsField(kind="portfolio")
    description = serializers.CharField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), source="style_tags", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


def _tags_field(**kwargs) -> serializers.ListField:
    # Raw input is bounded here; normalize_tags applies the real limits after folding duplicates.
    return serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=False),
        max_length=50,
        help_text=_TAGS_HELP,
        **kwargs,
    )


class PortfolioItemCreateSerializer(serializers.Serializer):
    image_url = serializers.CharField(
        max_length=1024, help_text="The `publicUrl` from /api/upload/presign (folder portfolio), after the PUT."
    )
    description = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
    tags = _tags_field(required=False, default=list)


class PortfolioItemUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    tags = _tags_field(required=False)
