from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from payments.models import Transaction
from tattoo.core.models import status_check


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")  # raised, waiting for staff
    RESOLVED = "resolved", _("Resolved")  # staff decided; booking moved on, refund recorded if any


class Dispute(models.Model):
    booking = models.ForeignKey(
        "bookings.Booking", verbose_name=_("booking"), on_delete=models.PROTECT, related_name="disputes"
    )
    initiator = models.ForeignKey(
        "accounts.User", verbose_name=_("initiator"), on_delete=models.PROTECT, related_name="disputes_opened"
    )
    reason = models.TextField(verbose_name=_("reason"), max_length=4000)
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    # The booking status before the dispute, so resolution can tell where it came from.
    booking_status_before = models.CharField(verbose_name=_("booking status before"), max_length=16, blank=True)
    resolution = models.TextField(verbose_name=_("resolution"), blank=True, max_length=4000)
    refund_amount = models.DecimalField(
        verbose_name=_("refund amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    resolved_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes_resolved",
    )
    resolved_at = models.DateTimeField(verbose_name=_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "disputes"
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        indexes = [models.Index(fields=["status", "-created_at"], name="disputes_status_idx")]
        constraints = [
            status_check("status", DisputeStatus, "disputes_status_valid"),
            models.UniqueConstraint(
                fields=["booking"], condition=Q(status="open"), name="disputes_one_open_per_booking"
            ),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gte=0), name="disputes_refund_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return gettext("dispute #%(number)s on booking #%(booking)s") % {"number": self.pk, "booking": self.booking_id}


class ManualRefund(Transaction):
    """The manual refund queue in the Django admin: transactions whose refund staff must make by hand."""

    class Meta:
        proxy = True
        verbose_name = _("manual refund")
        verbose_name_plural = _("manual refund queue")
