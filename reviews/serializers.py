from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.models import RATING_MAX, RATING_MIN, TEXT_MAX, Review
from reviews.selectors import public_name
from reviews.services import healed_photo_from
from tattoo.core import images
from tattoo.core.serializers import ThumbnailsField


class ReviewPublicSerializer(serializers.ModelSerializer):
    """A published review as anyone reads it: the customer by first name and initial only."""

    customer_name = serializers.SerializerMethodField()
    healed_photo_url = serializers.SerializerMethodField()
    healed_photo_width = serializers.IntegerField(source="image_width", read_only=True, allow_null=True)
    healed_photo_height = serializers.IntegerField(source="image_height", read_only=True, allow_null=True)
    thumbnails = ThumbnailsField(kind="reviews")
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "rating",
            "text",
            "customer_name",
            "created_at",
            "reply",
            "replied_at",
            "healed_photo_url",
            "healed_photo_width",
            "healed_photo_height",
            "thumbnails",
        ]
        read_only_fields = fields

    def get_customer_name(self, review: Review) -> str:
        return public_name(review.customer.name)

    @extend_schema_field(OpenApiTypes.URI)
    def get_healed_photo_url(self, review: Review) -> str | None:
        return images.url_for("reviews", review.image_key)

    def get_reply(self, review: Review) -> str | None:
        return review.reply or None


class ReviewSerializer(ReviewPublicSerializer):
    """The author's view: also the booking, whether staff hid it, and from when a healed photo may be added."""

    healed_photo_from = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()

    class Meta(ReviewPublicSerializer.Meta):
        fields = [*ReviewPublicSerializer.Meta.fields, "booking_id", "tattooist_id", "hidden", "healed_photo_from"]
        read_only_fields = fields

    def get_hidden(self, review: Review) -> bool:
        return review.is_hidden

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_healed_photo_from(self, review: Review):
        return serializers.DateTimeField().to_representation(healed_photo_from(review.booking))


class ReviewCreateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX)
    text = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class ReviewUpdateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX, required=False)
    text = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    healed_photo_url = serializers.CharField(
        max_length=1024,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The `publicUrl` of an upload to the folder `reviews` (presign, PUT), from HEALED_PHOTO_DAYS "
        "(21) days after the session (409 `too_early` before); empty or null removes the photo.",
    )


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX)
