from __future__ import annotations

from rest_framework import serializers

from portfolio.models import PortfolioItem
from portfolio.services import MAX_TAG_LENGTH, MAX_TAGS

_TAGS_HELP = (
    f"Normalised: lower case, trimmed, duplicates dropped; at most {MAX_TAGS} tags of at most "
    f"{MAX_TAG_LENGTH} characters."
)


class PortfolioItemSerializer(serializers.ModelSerializer):
    tattooist_id = serializers.IntegerField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), source="style_tags", read_only=True)

    class Meta:
        model = PortfolioItem
        fields = ["id", "tattooist_id", "image_url", "description", "tags", "created_at", "updated_at"]
        read_only_fields = fields


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
