from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import DEPOSIT_REFUNDABLE_HOURS_MAX
from accounts.serializers import ArtistProfileUpdateSerializer
from bookings import deposit_window
from bookings.models import Availability, Booking, BookingEvent, BookingStatus, TimeOff
from bookings.services.schedule import SESSION_MINUTES, min_deposit_problem, timezone_problem
from tattoo.core.hooks import Hook
from tattoo.core.money import WHOLE_MNT_PATTERN
from tattoo.core.schema import documented


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry a UTC offset (a naive time is ambiguous: 400)."""

    default_error_messages = {
        "naive": _("Include a UTC offset, e.g. 2026-05-01T10:00:00+08:00 or 2026-05-01T02:00:00Z."),
        "range": _("Use a year from 1970 to 2200."),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # the parent reports the invalid value
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        elif isinstance(value, datetime) and value.tzinfo is None:
            self.fail("naive")
        result = super().to_internal_value(value)
        # far-off years would overflow date arithmetic (slot + session, offsets) further on
        if not 1970 <= result.year <= 2200:
            self.fail("range")
        return result


# --- artists ----------------------------------------------------------------------------------


class ArtistSettingsSerializer(serializers.Serializer):
    bio = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False, help_text="IANA zone, e.g. Asia/Ulaanbaatar.")
    session_minutes = serializers.IntegerField(
        min_value=SESSION_MINUTES[0], max_value=SESSION_MINUTES[1], required=False
    )
    min_deposit = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    deposit_refundable_hours = serializers.IntegerField(
        min_value=0,
        max_value=DEPOSIT_REFUNDABLE_HOURS_MAX,
        required=False,
        help_text="A customer who cancels more than this many hours before the start gets the deposit back; "
        "later, the artist keeps it (docs/deposits.md).",
    )

    # The rules are the service's (tattooist_update_settings checks them again); here they answer
    # next to the field, as the other shape errors do.
    def validate_timezone(self, value: str) -> str:
        _raise_field_problem(timezone_problem(value))
        return value

    def validate_min_deposit(self, value):
        _raise_field_problem(min_deposit_problem(value))
        return value


class ArtistMeUpdateSerializer(ArtistSettingsSerializer, ArtistProfileUpdateSerializer):
    """PATCH /api/tattooists/me: the booking settings and the public profile (docs/search.md)."""


def _raise_field_problem(problem: str | None) -> None:
    if problem is not None:
        raise serializers.ValidationError(problem)


class ZonedDateTimeField(serializers.DateTimeField):
    """An instant with the UTC offset of the zone in the serializer's context (`zone`)."""

    def to_representation(self, value):
        return value.astimezone(self.context["zone"]).isoformat()


# One bookable start: the instance is the aware datetime itself.
class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField(source="*", help_text="Start in UTC.")
    local_start = ZonedDateTimeField(source="*", help_text="The same instant with the artist's UTC offset.")


# bookings.selectors.Slots; the context's `zone` is the artist's ZoneInfo.
class SlotsSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    session_minutes = serializers.IntegerField()
    slots = SlotSerializer(many=True, source="starts")


# --- availability and time off -----------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "10:00"}
)
class WallClockTimeField(serializers.TimeField):
    """`HH:MM` wall-clock time (seconds accepted on input, never written)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        super().__init__(**kwargs)


class AvailabilityWindowSerializer(serializers.ModelSerializer):
    day = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Sunday ... 6 = Saturday.")
    start_time = WallClockTimeField(help_text="HH:MM, artist's local time.")
    end_time = WallClockTimeField(help_text="HH:MM, artist's local time.")

    class Meta:
        model = Availability
        fields = ["id", "day", "start_time", "end_time"]
        read_only_fields = ["id"]


class AvailabilitySerializer(serializers.Serializer):
    timezone = serializers.CharField()
    windows = AvailabilityWindowSerializer(many=True)


class TimeOffSerializer(serializers.ModelSerializer):
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = TimeOff
        fields = ["id", "starts_at", "ends_at", "reason", "created_at"]
        read_only_fields = ["id", "created_at"]


# --- bookings ----------------------------------------------------------------------------------


class BookingSerializer(serializers.ModelSerializer):
    customer_id = serializers.IntegerField(read_only=True)
    tattooist_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "customer_id",
            "tattooist_id",
            "slot",
            "ends_at",
            "status",
            "payment_status",
            "deposit_amount",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BookingEventSerializer(serializers.ModelSerializer):
    actor_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = BookingEvent
        fields = [
            "from_status",
            "to_status",
            "from_payment_status",
            "to_payment_status",
            "actor_id",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class DepositLedgerSerializer(serializers.Serializer):
    """The booking's deposit ledger (docs/deposits.md): paid = refunded + kept + refundPending +
    applied + what a live booking (or a project, for its last session) still holds."""

    required = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="The deposit asked for.")
    paid = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Everything QPay reported paid.")
    refunded = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Given back (QPay or by hand).")
    kept = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Kept by the artist: a late customer cancel, a no-show, or a completed session's deposit "
        "(counted toward the price).",
    )
    refund_pending = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Refunds recorded and not yet made."
    )
    applied = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="A project's deposit applied to the session it pays toward (first or last), once "
        '(docs/deposits.md, "Projects"); 0 for a direct booking.',
    )


# The payments app owns the deposit ledger and registers how to read it (PaymentsConfig.ready):
# bookings sits below payments and does not import it.
# reader(booking) -> the ledger as DepositLedgerSerializer's fields (tattoo.core.hooks).
deposit_reader: Hook[Callable[[Booking], dict]] = Hook("bookings.deposit_reader", single=True)


class BookingDetailSerializer(BookingSerializer):
    events = BookingEventSerializer(many=True, read_only=True)
    deposit = serializers.SerializerMethodField()
    deposit_refundable_hours = serializers.IntegerField(
        read_only=True, help_text="The deposit policy this booking was made under (docs/deposits.md)."
    )
    refundable_until = serializers.SerializerMethodField(
        help_text="Until when the customer's cancel refunds the deposit in full: fixed when the deposit was paid "
        "(a move by the customer never changes it, one by the artist or staff never brings it closer); before "
        "that, the start less depositRefundableHours (docs/deposits.md)."
    )

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "deposit_refundable_hours", "refundable_until", "deposit", "events"]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField())
    def get_refundable_until(self, booking: Booking) -> str:
        return serializers.DateTimeField().to_representation(deposit_window.refund_deadline(booking))

    @extend_schema_field(DepositLedgerSerializer)
    def get_deposit(self, booking: Booking) -> dict:
        # The payments app owns the ledger; the booking only shows it.
        return DepositLedgerSerializer(deposit_reader.required()(booking)).data


class BookingCreateSerializer(serializers.Serializer):
    tattooist_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    slot = AwareDateTimeField(help_text="Session start, ISO 8601 with an offset.")
    # Whole MNT (400 `deposit_not_whole`, bookings/services/create.py), at least the artist's minDeposit.
    deposit_amount = documented(
        serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0),
        type="string",
        format="decimal",
        pattern=WHOLE_MNT_PATTERN,
        description="Whole MNT (e.g. `50000` or `50000.00`), at least the artist's `minDeposit`.",
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BookingRescheduleSerializer(serializers.Serializer):
    slot = AwareDateTimeField(help_text="The new start, ISO 8601 with an offset; the session keeps its length.")


class BookingStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
