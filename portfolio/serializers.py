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


# Declared fields rather than a ModelSerializer: it renders every page of the public artist list,
# and a ModelSerializer rebuilds its fields from the model on each use.
class ArtistSerializer(serializers.Serializer):
    """The public face of an artist (no e-mail, no approval details)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    bio = serializers.CharField(read_only=True)
    style_tags = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Distinct union of the artist's portfolio tags."
    )
    timezone = serializers.CharField(read_only=True)
    session_minutes = serializers.IntegerField(read_only=True)
    min_deposit = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)


class ArtistDetailSerializer(ArtistSerializer):
    """One artist, with the deposit policy a customer agrees to by booking (docs/deposits.md)."""

    deposit_refundable_hours = serializers.IntegerField(read_only=True)
