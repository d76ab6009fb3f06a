from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Role
from ideas.models import TattooIdea
from ideas.services import MAX_DESCRIPTION

_DESCRIPTION_HELP = (
    f"At most {MAX_DESCRIPTION} characters. May be empty when the idea has an image; an idea needs "
    "a description, an image, or both."
)


class TattooIdeaSerializer(serializers.ModelSerializer):
    booking_id = serializers.IntegerField(read_only=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True, help_text="The author's user id.")
    created_by_name = serializers.CharField(source="created_by.name", read_only=True)
    created_by_role = serializers.ChoiceField(source="created_by.role", choices=Role.choices, read_only=True)
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = TattooIdea
        fields = [
            "id",
            "booking_id",
            "description",
            "image_url",
            "created_by",
            "created_by_name",
            "created_by_role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image_url(self, obj: TattooIdea) -> str | None:
        return obj.image_url or None


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
