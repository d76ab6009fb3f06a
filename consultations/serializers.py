from __future__ import annotations

from rest_framework import serializers

from bookings.serializers import AwareDateTimeField, BookingSerializer
from consultations.models import (
    PROPOSED_STARTS,
    SESSIONS,
    SIZE_CM,
    Colour,
    Consultation,
    ConsultationImage,
    ConsultationMessage,
    DepositAppliesTo,
    Placement,
    Project,
    ProjectSession,
    Quote,
)
from consultations.services.common import MAX_IMAGES
from tattoo.core.money import WHOLE_MNT_PATTERN
from tattoo.core.schema import documented
from tattoo.core.serializers import ImageUrlField, ThumbnailsField

KIND = "consultations"


def _whole_mnt(description: str, **kwargs):
    return documented(
        serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, **kwargs),
        type="string",
        format="decimal",
        pattern=WHOLE_MNT_PATTERN,
        description=description,
    )


def _image_urls():
    return serializers.ListField(
        child=serializers.CharField(max_length=1024),
        max_length=MAX_IMAGES,
        required=False,
        default=list,
        help_text=f"Up to {MAX_IMAGES} `publicUrl`s of uploads to the folder `consultations` (after the PUT).",
    )


# --- answers ----------------------------------------------------------------------------------------


class PhotoSerializer(serializers.ModelSerializer):
    image_url = ImageUrlField(kind=KIND, help_text="A signed URL valid IMAGE_URL_EXPIRES_SECONDS.")
    thumbnails = ThumbnailsField(kind=KIND)
    image_width = serializers.IntegerField(read_only=True, allow_null=True)
    image_height = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = ConsultationImage
        fields = ["id", "image_url", "thumbnails", "image_width", "image_height"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    author_id = serializers.IntegerField(read_only=True)
    author_name = serializers.CharField(source="author.name", read_only=True)
    images = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = ConsultationMessage
        fields = ["id", "author_id", "author_name", "body", "images", "created_at"]
        read_only_fields = fields


class QuoteSerializer(serializers.ModelSerializer):
    consultation_id = serializers.IntegerField(read_only=True)
    proposed_slots = serializers.ListField(child=serializers.DateTimeField(), read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "consultation_id",
            "version",
            "status",
            "price_min",
            "price_max",
            "sessions",
            "session_minutes",
            "deposit_amount",
            "deposit_applies_to",
            "proposed_slots",
            "note",
            "expires_at",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class ConsultationSerializer(serializers.ModelSerializer):
    """A request in a list: its figures, without its thread."""

    customer_id = serializers.IntegerField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    tattooist_id = serializers.IntegerField(read_only=True)
    tattooist_name = serializers.CharField(source="tattooist.user.name", read_only=True)
    photo_count = serializers.IntegerField(read_only=True)
    message_count = serializers.IntegerField(read_only=True)
    open_quote_id = serializers.IntegerField(read_only=True, allow_null=True)
    project_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "customer_id",
            "customer_name",
            "tattooist_id",
            "tattooist_name",
            "status",
            "description",
            "placement",
            "width_cm",
            "height_cm",
            "colour",
            "budget_max",
            "availability_note",
            "photo_count",
            "message_count",
            "open_quote_id",
            "project_id",
            "first_answered_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ConsultationDetailSerializer(ConsultationSerializer):
    """One request with its photos, its thread and its quotes (newest first)."""

    images = PhotoSerializer(many=True, read_only=True)
    messages = MessageSerializer(many=True, read_only=True)
    quotes = QuoteSerializer(many=True, read_only=True)
    photo_count = None
    message_count = None
    open_quote_id = None

    class Meta(ConsultationSerializer.Meta):
        fields = [
            f for f in ConsultationSerializer.Meta.fields if f not in ("photo_count", "message_count", "open_quote_id")
        ] + ["images", "messages", "quotes"]
        read_only_fields = fields


class ProjectSessionSerializer(serializers.ModelSerializer):
    booking_id = serializers.IntegerField(read_only=True)
    slot = serializers.DateTimeField(source="booking.slot", read_only=True)
    status = serializers.CharField(source="booking.status", read_only=True, help_text="The booking's status.")

    class Meta:
        model = ProjectSession
        fields = ["seq", "booking_id", "slot", "status"]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    consultation_id = serializers.IntegerField(read_only=True)
    tattooist_id = serializers.IntegerField(read_only=True)
    customer_id = serializers.IntegerField(read_only=True)
    sessions = ProjectSessionSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "consultation_id",
            "tattooist_id",
            "customer_id",
            "sessions_planned",
            "session_minutes",
            "deposit_amount",
            "deposit_applies_to",
            "status",
            "sessions",
        ]
        read_only_fields = fields


class QuoteAcceptedSerializer(serializers.Serializer):
    project = ProjectSerializer()
    booking = BookingSerializer()


# --- requests' bodies -------------------------------------------------------------------------------


class ConsultationCreateSerializer(serializers.Serializer):
    tattooist_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    description = serializers.CharField(max_length=4000, help_text="The idea, in the customer's words.")
    placement = serializers.ChoiceField(choices=Placement.choices)
    width_cm = serializers.IntegerField(min_value=SIZE_CM[0], max_value=SIZE_CM[1], help_text="Whole centimetres.")
    height_cm = serializers.IntegerField(min_value=SIZE_CM[0], max_value=SIZE_CM[1], help_text="Whole centimetres.")
    colour = serializers.ChoiceField(choices=Colour.choices)
    budget_max = _whole_mnt("Whole MNT: the most the customer means to spend.", required=False, allow_null=True)
    availability_note = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", help_text="When the customer can come."
    )
    image_urls = _image_urls()
    date_of_birth = serializers.DateField(
        help_text="YYYY-MM-DD: 18 or over on the day of the request (400 `underage`); shown to nobody."
    )


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    image_urls = _image_urls()


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Mailed to the customer.")


class QuoteCreateSerializer(serializers.Serializer):
    price_min = _whole_mnt("Whole MNT: the lowest the piece may cost.")
    price_max = _whole_mnt("Whole MNT: the highest; at least priceMin.")
    sessions = serializers.IntegerField(min_value=SESSIONS[0], max_value=SESSIONS[1])
    session_minutes = serializers.IntegerField(min_value=15, max_value=12 * 60)
    deposit_amount = _whole_mnt("Whole MNT, more than 0 and at most priceMax: paid to hold the first session.")
    deposit_applies_to = serializers.ChoiceField(choices=DepositAppliesTo.choices)
    proposed_slots = serializers.ListField(
        child=AwareDateTimeField(),
        min_length=PROPOSED_STARTS[0],
        max_length=PROPOSED_STARTS[1],
        help_text="1 to 5 starts, each bookable for sessionMinutes (the artist's hours, free, notice, horizon).",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    expires_at = AwareDateTimeField(
        required=False, allow_null=True, default=None, help_text="Default 72 hours ahead; at most 14 days."
    )


class QuoteAcceptSerializer(serializers.Serializer):
    slot = AwareDateTimeField(help_text="One of the quote's proposedSlots.")


class SessionBookSerializer(serializers.Serializer):
    slot = AwareDateTimeField(help_text="The session's start; at least the artist's healDays after the previous ends.")
