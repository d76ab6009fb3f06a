from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tattoo.core.l10n import money
from tattoo.core.models import TimeStampedModel, status_check


def _word(choices: type[models.TextChoices], value: str) -> str:
    """A status in the admin's object names: its label in the reader's language, never the code."""
    return str(choices(value).label).lower() if value in choices.values else value


class TransactionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # QPay invoice open, nothing paid yet
    PAID = "paid", _("Paid")  # paid in full (or more; see flag)
    UNDERPAID = "underpaid", _("Underpaid")  # QPay reports less than the deposit; never confirms the booking
    CANCELLED = "cancelled", _("Cancelled")  # invoice given up (hold expired or booking cancelled) unpaid
    REFUNDED = "refunded", _("Refunded")  # everything paid was returned
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")  # part of it was returned


class TransactionFlag(models.TextChoices):
    NONE = "", _("None")
    OVERPAID = "overpaid", _("Overpaid")  # confirmed, but QPay reports more than the deposit
    UNDERPAID = "underpaid", _("Underpaid")  # less than the deposit arrived
    LATE_PAYMENT = "late_payment", _("Late payment, slot lost")  # paid after expiry and the slot was re-taken
    CURRENCY_MISMATCH = "currency_mismatch", _("Currency mismatch")  # not MNT; never credited


class RefundState(models.TextChoices):
    """A transaction's refunds in one word (the worst of its Refund rows, payments.ledger)."""

    NONE = "", _("None")
    QPAY_PENDING = "qpay_pending", _("Card refund sent to QPay")  # a job is asking QPay to refund a card payment
    MANUAL_REQUIRED = "manual_required", _("Manual refund required")  # staff must refund in the bank/merchant portal
    MANUAL_DONE = "manual_done", _("Manual refund done")  # staff recorded the manual refund
    QPAY_REFUNDED = "qpay_refunded", _("Refunded through QPay")  # card refund accepted by QPay


class Transaction(TimeStampedModel):
    booking = models.ForeignKey(
        "bookings.Booking", verbose_name=_("booking"), on_delete=models.PROTECT, related_name="transactions"
    )
    amount = models.DecimalField(verbose_name=_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(verbose_name=_("currency"), max_length=3, default="MNT")
    status = models.CharField(
        verbose_name=_("status"), max_length=20, choices=TransactionStatus.choices, default=TransactionStatus.PENDING
    )
    flag = models.CharField(
        verbose_name=_("flag"), max_length=20, choices=TransactionFlag.choices, default="", blank=True
    )
    qpay_invoice_id = models.CharField(
        verbose_name=_("QPay invoice ID"), max_length=64, unique=True, null=True, blank=True
    )
    qpay_payment_id = models.CharField(
        verbose_name=_("QPay payment ID"), max_length=64, unique=True, null=True, blank=True
    )
    payment_type = models.CharField(verbose_name=_("payment type"), max_length=16, blank=True)  # QPay's P2P or CARD
    paid_amount = models.DecimalField(verbose_name=_("paid amount"), max_digits=12, decimal_places=2, default=0)
    paid_at = models.DateTimeField(verbose_name=_("paid at"), null=True, blank=True)
    checkout_url = models.URLField(verbose_name=_("checkout URL"), max_length=1024, blank=True)
    qr_text = models.TextField(verbose_name=_("QR text"), blank=True)
    qr_image = models.TextField(verbose_name=_("QR image"), blank=True)  # base64 PNG as QPay returns it
    bank_links = models.JSONField(verbose_name=_("bank links"), default=list, blank=True)
    expires_at = models.DateTimeField(verbose_name=_("expires at"), null=True, blank=True)
    raw_payload = models.JSONField(verbose_name=_("raw payload"), null=True, blank=True)
    processed_at = models.DateTimeField(verbose_name=_("processed at"), null=True, blank=True)
    refunded_amount = models.DecimalField(verbose_name=_("refunded amount"), max_digits=12, decimal_places=2, default=0)
    refund_state = models.CharField(
        verbose_name=_("refund state"), max_length=20, choices=RefundState.choices, default="", blank=True
    )
    last_checked_at = models.DateTimeField(verbose_name=_("last checked at"), null=True, blank=True)
    # When the invoice was cancelled at QPay (its QR stops working). An underpaid invoice keeps its
    # status but must still be cancelled, so this, not the status, says whether it is open.
    invoice_cancelled_at = models.DateTimeField(verbose_name=_("invoice cancelled at"), null=True, blank=True)

    class Meta:
        db_table = "transactions"
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
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
        return gettext("transaction #%(number)s (%(status)s)") % {
            "number": self.pk,
            "status": _word(TransactionStatus, self.status),
        }


class Payment(models.Model):
    """One payment row of QPay's payment/check: the unit money is refunded in (docs/deposits.md).

    An invoice can be paid in parts (P2P 20,000 then CARD 30,000); each part is refunded its own
    way: CARD through QPay, P2P by hand. Invariant (CHECK): kept + refunded + applied <= amount;
    what is left is held for the booking (or, for a project's deposit, for its last session).
    """

    transaction = models.ForeignKey(
        Transaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="payments"
    )
    booking = models.ForeignKey(
        "bookings.Booking", verbose_name=_("booking"), on_delete=models.PROTECT, related_name="deposit_payments"
    )
    qpay_payment_id = models.CharField(verbose_name=_("QPay payment ID"), max_length=64, unique=True)
    payment_type = models.CharField(verbose_name=_("payment type"), max_length=16, blank=True)  # QPay's P2P or CARD
    amount = models.DecimalField(verbose_name=_("amount"), max_digits=12, decimal_places=2)
    kept_amount = models.DecimalField(
        verbose_name=_("kept amount"), max_digits=12, decimal_places=2, default=0
    )  # the artist keeps it
    refunded_amount = models.DecimalField(
        verbose_name=_("refunded amount"), max_digits=12, decimal_places=2, default=0
    )  # refunds recorded, any state
    # A project's deposit applied to the session it pays toward (docs/deposits.md, "Projects"): once.
    applied_amount = models.DecimalField(
        verbose_name=_("applied amount"), max_digits=12, decimal_places=2, default=0, db_default=0
    )
    paid_at = models.DateTimeField(verbose_name=_("paid at"))
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "deposit_payments"
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["booking", "created_at"], name="deposit_payments_booking_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_payments_amount_positive"),
            models.CheckConstraint(
                condition=Q(kept_amount__gte=0)
                & Q(refunded_amount__gte=0)
                & Q(applied_amount__gte=0)
                & Q(amount__gte=models.F("kept_amount") + models.F("refunded_amount") + models.F("applied_amount")),
                name="deposit_payments_never_negative",
            ),
        ]

    def __str__(self) -> str:
        return gettext("payment %(payment)s (%(amount)s)") % {
            "payment": self.qpay_payment_id,
            "amount": money(self.amount),
        }

    @property
    def held(self):
        return self.amount - self.kept_amount - self.refunded_amount - self.applied_amount


class RefundStatus(models.TextChoices):
    QPAY_PENDING = "qpay_pending", _("Sent to QPay")  # a CARD payment: a job asks QPay (through the worker)
    QPAY_REFUNDED = "qpay_refunded", _("Refunded through QPay")  # QPay accepted it
    MANUAL_REQUIRED = "manual_required", _("Manual refund required")  # staff refund it in the bank/merchant portal
    MANUAL_DONE = "manual_done", _("Refunded by hand")  # staff recorded the manual refund


REFUND_DONE = (RefundStatus.QPAY_REFUNDED, RefundStatus.MANUAL_DONE)
REFUND_OPEN = (RefundStatus.QPAY_PENDING, RefundStatus.MANUAL_REQUIRED)


class Refund(TimeStampedModel):
    """Money owed back to the customer from one payment row; moves along REFUND_TRANSITIONS."""

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    booking = models.ForeignKey(
        "bookings.Booking", verbose_name=_("booking"), on_delete=models.PROTECT, related_name="deposit_refunds"
    )
    amount = models.DecimalField(verbose_name=_("amount"), max_digits=12, decimal_places=2)
    status = models.CharField(verbose_name=_("status"), max_length=20, choices=RefundStatus.choices)
    reason = models.CharField(verbose_name=_("reason"), max_length=300)
    qpay_error = models.CharField(verbose_name=_("QPay error"), max_length=200, blank=True)
    # When the refund was first sent to QPay: a later attempt asks QPay for the payment before
    # sending it again, since the first may have been made and its answer lost (payments/card_refunds.py).
    qpay_sent_at = models.DateTimeField(verbose_name=_("sent to QPay at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_by = models.ForeignKey(
        "accounts.User", verbose_name=_("done by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(verbose_name=_("done at"), null=True, blank=True)

    class Meta:
        db_table = "deposit_refunds"
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="deposit_refunds_status_idx"),
            models.Index(fields=["booking"], name="deposit_refunds_booking_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_refunds_amount_positive"),
            status_check("status", RefundStatus, "deposit_refunds_status_valid"),
        ]

    def __str__(self) -> str:
        return gettext("refund #%(number)s: %(amount)s (%(status)s)") % {
            "number": self.pk,
            "amount": money(self.amount),
            "status": _word(RefundStatus, self.status),
        }


class LedgerEventKind(models.TextChoices):
    RECEIVED = "received", _("Payment received")
    KEPT = "kept", _("Kept by the artist")
    APPLIED = "applied", _("Applied to the project's session")
    UNKEPT = "unkept", _("Kept money released (dispute)")
    REFUND_RECORDED = "refund_recorded", _("Refund recorded")
    REFUND_MOVED = "refund_moved", _("Refund state changed")


class LedgerEvent(models.Model):
    """The money audit trail: one row per money write, in the same transaction as the write."""

    booking = models.ForeignKey(
        "bookings.Booking", verbose_name=_("booking"), on_delete=models.CASCADE, related_name="ledger_events"
    )
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.ForeignKey(
        Refund, verbose_name=_("refund"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=20, choices=LedgerEventKind.choices)
    amount = models.DecimalField(verbose_name=_("amount"), max_digits=12, decimal_places=2)
    from_state = models.CharField(verbose_name=_("from state"), max_length=20, blank=True)
    to_state = models.CharField(verbose_name=_("to state"), max_length=20, blank=True)
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(verbose_name=_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "ledger_events"
        verbose_name = _("ledger event")
        verbose_name_plural = _("ledger events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["booking", "created_at"], name="ledger_events_booking_idx"),
            models.Index(fields=["kind", "created_at"], name="ledger_events_kind_idx"),
        ]
        constraints = [status_check("kind", LedgerEventKind, "ledger_events_kind_valid")]

    def __str__(self) -> str:
        return gettext("%(kind)s: %(amount)s (booking #%(number)s)") % {
            "kind": _word(LedgerEventKind, self.kind),
            "amount": money(self.amount),
            "number": self.booking_id,
        }
