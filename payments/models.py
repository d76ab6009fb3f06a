from django.db import models
from django.db.models import Q

from tattoo.core.models import status_check


class TransactionStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # QPay invoice open, nothing paid yet
    PAID = "paid", "Paid"  # paid in full (or more; see flag)
    UNDERPAID = "underpaid", "Underpaid"  # QPay reports less than the deposit; never confirms the booking
    CANCELLED = "cancelled", "Cancelled"  # invoice given up (hold expired or booking cancelled) unpaid
    REFUNDED = "refunded", "Refunded"  # everything paid was returned
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"  # part of it was returned


class TransactionFlag(models.TextChoices):
    NONE = "", "None"
    OVERPAID = "overpaid", "Overpaid"  # confirmed, but QPay reports more than the deposit
    UNDERPAID = "underpaid", "Underpaid"  # less than the deposit arrived
    LATE_PAYMENT = "late_payment", "Late payment, slot lost"  # paid after expiry and the slot was re-taken
    CURRENCY_MISMATCH = "currency_mismatch", "Currency mismatch"  # not MNT; never credited


class RefundState(models.TextChoices):
    NONE = "", "None"
    MANUAL_REQUIRED = "manual_required", "Manual refund required"  # staff must refund in the bank/merchant portal
    MANUAL_DONE = "manual_done", "Manual refund done"  # staff recorded the manual refund
    QPAY_REFUNDED = "qpay_refunded", "Refunded through QPay"  # card refund accepted by QPay


class Transaction(models.Model):
    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="transactions")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="MNT")
    status = models.CharField(max_length=20, choices=TransactionStatus.choices, default=TransactionStatus.PENDING)
    flag = models.CharField(max_length=20, choices=TransactionFlag.choices, default="", blank=True)
    qpay_invoice_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    qpay_payment_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    payment_type = models.CharField(max_length=16, blank=True)  # QPay's P2P or CARD
    paid_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    checkout_url = models.URLField(max_length=1024, blank=True)
    qr_text = models.TextField(blank=True)
    qr_image = models.TextField(blank=True)  # base64 PNG as QPay returns it
    bank_links = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    raw_payload = models.JSONField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    refunded_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    refund_state = models.CharField(max_length=20, choices=RefundState.choices, default="", blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "transactions"
        indexes = [
            models.Index(fields=["booking", "-created_at"], name="transactions_booking_idx"),
            models.Index(fields=["status", "-created_at"], name="transactions_status_idx"),
            models.Index(fields=["-created_at", "-id"], name="transactions_created_idx"),
        ]
        constraints = [
            status_check("status", TransactionStatus, "transactions_status_valid"),
            status_check("flag", TransactionFlag, "transactions_flag_valid"),
            status_check("refund_state", RefundState, "transactions_refund_state_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="transactions_amount_positive"),
            models.CheckConstraint(condition=Q(currency="MNT"), name="transactions_currency_mnt"),
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="transactions_paid_nonneg"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=models.F("paid_amount")),
                name="transactions_refund_within_paid",
            ),
            # One open invoice per booking: retries reuse it instead of minting duplicates at QPay.
            models.UniqueConstraint(
                fields=["booking"], condition=Q(status="pending"), name="transactions_one_pending_per_booking"
            ),
        ]

    def __str__(self) -> str:
        return f"transaction {self.pk} ({self.status})"
