from __future__ import annotations

from rest_framework import serializers

from payments.models import Transaction


class PaymentCreateInputSerializer(serializers.Serializer):
    booking_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class BankLinkSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    logo = serializers.CharField()
    link = serializers.CharField()


class PaymentSerializer(serializers.ModelSerializer):
    transaction_id = serializers.IntegerField(source="id")
    booking_id = serializers.IntegerField()
    qr_url = serializers.SerializerMethodField(help_text="A data: URL of the QR code PNG, ready for an <img>.")
    bank_links = BankLinkSerializer(many=True, help_text="Bank-app deep links as QPay returned them.")

    class Meta:
        model = Transaction
        fields = [
            "transaction_id",
            "booking_id",
            "qpay_invoice_id",
            "qr_url",
            "qr_text",
            "checkout_url",
            "bank_links",
            "expires_at",
            "amount",
            "currency",
            "status",
        ]

    def get_qr_url(self, obj: Transaction) -> str:
        return f"data:image/png;base64,{obj.qr_image}" if obj.qr_image else ""


class PaymentStatusSerializer(serializers.Serializer):
    qpay_invoice_id = serializers.CharField()
    status = serializers.CharField(help_text="pending, paid, underpaid, cancelled, refunded, partially_refunded")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid_at = serializers.DateTimeField(allow_null=True)
    booking_id = serializers.IntegerField()
    booking_status = serializers.CharField()
    payment_status = serializers.CharField()


class NotifyResultSerializer(serializers.Serializer):
    result = serializers.CharField(help_text="processed, duplicate, ignored, underpaid, rejected or late_payment")


class NotificationSerializer(serializers.Serializer):
    """What the worker posts (documentation only: the view verifies the raw bytes first)."""

    qpay_invoice_id = serializers.CharField()
    reference = serializers.CharField(required=False)
    status = serializers.ChoiceField(choices=["paid", "unpaid"])
    paid_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    qpay_payment_id = serializers.CharField()
    payment_type = serializers.CharField(required=False)
    paid_at = serializers.DateTimeField(required=False, allow_null=True)
    checked_at = serializers.DateTimeField(required=False)
    payment_ids = serializers.ListField(child=serializers.CharField(), required=False)
    raw = serializers.DictField(required=False, help_text="QPay's payment/check answer, stored verbatim.")
