from __future__ import annotations

from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Tattooist
from bookings.models import Booking, BookingStatus
from bookings.serializers import BookingSerializer
from disputes.models import Dispute
from disputes.services import RESOLUTION_CHOICES
from payments.models import RefundState, Transaction, TransactionStatus
from tattoo.core.money import MAX_AMOUNT

# --- query filters ----------------------------------------------------------------------------


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that must carry an offset: a naive time is ambiguous, so it is refused."""

    default_error_messages = {"naive": _("Give the time with an offset, e.g. 2026-05-01T10:00:00+08:00.")}

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class _ListQuerySerializer(serializers.Serializer):
    """Query parameters as clients send them (camelCase, `from`/`to`), validated to 400s."""

    def get_fields(self):
        return {
            "from": AwareDateTimeField(required=False, source="date_from"),
            "to": AwareDateTimeField(required=False, source="date_to"),
            "page": serializers.IntegerField(required=False, min_value=1),
            "pageSize": serializers.IntegerField(required=False, min_value=1, max_value=100, source="page_size"),
        }

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end <= start:
            raise serializers.ValidationError({"to": [_("Must be after `from`.")]})
        return attrs


class AdminBookingQuerySerializer(_ListQuerySerializer):
    def get_fields(self):
        fields = super().get_fields()
        fields["status"] = serializers.ChoiceField(choices=BookingStatus.choices, required=False)
        fields["tattooistId"] = serializers.IntegerField(required=False, min_value=1, source="tattooist_id")
        return fields


class AdminTransactionQuerySerializer(_ListQuerySerializer):
    def get_fields(self):
        fields = super().get_fields()
        fields["status"] = serializers.ChoiceField(choices=TransactionStatus.choices, required=False)
        fields["refundState"] = serializers.ChoiceField(
            choices=[c for c in RefundState.choices if c[0]], required=False, source="refund_state"
        )
        return fields


# --- output -------------------------------------------------------------------------------------


class AdminTattooistSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    approved_by_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Tattooist
        fields = [
            "id",
            "user_id",
            "name",
            "email",
            "bio",
            "approved",
            "approved_at",
            "approved_by_id",
            "approval_note",
            "timezone",
            "session_minutes",
            "min_deposit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AdminBookingSerializer(BookingSerializer):
    """The public booking shape plus who is involved, for staff lists."""

    customer_email = serializers.EmailField(source="customer.email", read_only=True)
    tattooist_name = serializers.CharField(source="tattooist.user.name", read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "customer_email", "tattooist_name"]
        read_only_fields = fields


class AdminTransactionSerializer(serializers.ModelSerializer):
    booking_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Transaction
        fields = [
            "id",
            "booking_id",
            "amount",
            "currency",
            "status",
            "flag",
            "payment_type",
            "paid_amount",
            "paid_at",
            "refunded_amount",
            "refund_state",
            "qpay_invoice_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BookingTotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    deposit_sum = serializers.DecimalField(max_digits=14, decimal_places=2)


class TransactionTotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    amount_sum = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_sum = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunded_sum = serializers.DecimalField(max_digits=14, decimal_places=2)


class _Page(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class AdminBookingPageSerializer(_Page):
    results = AdminBookingSerializer(many=True)
    totals = BookingTotalsSerializer(help_text="Totals over the whole filtered set, not just this page.")


class AdminTransactionPageSerializer(_Page):
    results = AdminTransactionSerializer(many=True)
    totals = TransactionTotalsSerializer(help_text="Totals over the whole filtered set, not just this page.")


class BookingStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Booking
        fields = ["id", "status", "payment_status"]
        read_only_fields = fields


class TransactionStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transaction
        fields = ["id", "status", "paid_amount", "refunded_amount", "refund_state"]
        read_only_fields = fields


class DisputeSerializer(serializers.ModelSerializer):
    booking_id = serializers.IntegerField(read_only=True)
    initiator_id = serializers.IntegerField(read_only=True)
    resolved_by_id = serializers.IntegerField(read_only=True, allow_null=True)
    booking = serializers.SerializerMethodField()
    transaction = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = [
            "id",
            "booking_id",
            "initiator_id",
            "reason",
            "status",
            "booking_status_before",
            "resolution",
            "refund_amount",
            "resolved_by_id",
            "resolved_at",
            "created_at",
            "booking",
            "transaction",
        ]
        read_only_fields = fields

    def get_booking(self, dispute: Dispute) -> dict:
        return BookingStateSerializer(Booking.objects.get(pk=dispute.booking_id)).data

    def get_transaction(self, dispute: Dispute) -> dict | None:
        # The payment a refund comes from: the latest paid one (unpaid invoices sort last).
        txn = (
            Transaction.objects.filter(booking_id=dispute.booking_id)
            .order_by(F("paid_at").desc(nulls_last=True), "-id")
            .first()
        )
        return TransactionStateSerializer(txn).data if txn else None

    # drf-spectacular: document the nested states
    get_booking.__annotations__["return"] = BookingStateSerializer()
    get_transaction.__annotations__["return"] = TransactionStateSerializer(allow_null=True)


# --- input --------------------------------------------------------------------------------------


class ApproveSerializer(serializers.Serializer):
    approved = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class DisputeCreateSerializer(serializers.Serializer):
    booking_id = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=4000)


class AdminDisputeCreateSerializer(DisputeCreateSerializer):
    initiator_id = serializers.IntegerField(min_value=1)


class DisputeResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=4000)
    refund_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        required=False,
        allow_null=True,
        help_text="MNT to give back from the booking's paid transaction; at most what was paid and not yet refunded.",
    )
    booking_status = serializers.ChoiceField(choices=RESOLUTION_CHOICES)
