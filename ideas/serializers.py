from __future__ import annotations

from rest_framework import serializers

from accounts.models import Role
from ideas.models import TattooIdea
from ideas.services import MAX_DESCRIPTION
from tattoo.core.serializers import ImageUrlField, ThumbnailsField

_DESCRIPTION_HELP = (
    f"At most {MAX_DESCRIPTION} characters. May be empty when the idea has an image; an idea needs "
    "a description, an image, or both."
)


class TattooIdeaSerializer(serializers.ModelSerializer):
    booking_id = serializers.IntegerField(read_only=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True, help_text="The author's user id.")
    created_by_name = serializers.CharField(source="created_by.name", read_only=True)
    created_by_role = serializers.ChoiceField(source="created_by.role", choices=Role.choices, read_only=True)
    image_url = ImageUrlField(
        kind="ideas", help_text="A signed URL valid IMAGE_URL_EXPIRES_SECONDS (the bare object URL is refused)."
    )
    image_width = serializers.IntegerField(read_only=True, allow_null=True, help_text="Pixels.")
    image_height = serializers.IntegerField(read_only=True, allow_null=True, help_text="Pixels.")
    thumbnails = ThumbnailsField(kind="ideas")

    class Meta:
        model = TattooIdea
        fields = [
            "id",
            "booking_id",
            "description",
            "image_url",
            "image_width",
            "image_height",
            "thumbnails",
            "created_by",
            "created_by_name",
            "created_by_role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TattooIdeaCreateSerializer(serializers.Serializer):
    booking_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION, allow_blank=True, required=False, default="", help_text=_DESCRIPTION_HELP
    )
    image_url = serializers.CharField(
        max_length=1024,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="Optional: the `publicUrl` from /api/upload/presign (folder ideas), after the PUT.",
    )


class TattooIdeaUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION, allow_blank=True, required=False, help_text=_DESCRIPTION_HELP
    )
