from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Min, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.models import Refund, RefundStatus, Transaction
from tattoo.core.errors import NotAllowedError

ZERO = Decimal("0.00")


def transaction_for_party(*, user, qpay_invoice_id: str) -> Transaction:
    """The transaction behind an invoice, for the booking's customer, its artist or staff."""
    txn = get_object_or_404(
        Transaction.objects.select_related("booking", "booking__tattooist"), qpay_invoice_id=qpay_invoice_id
    )
    booking = txn.booking
    if user.is_admin or booking.customer_id == user.pk or booking.tattooist.user_id == user.pk:
        return txn
    raise NotAllowedError(_("Only the booking's parties can see its payment."))


def age_text(delta: timedelta) -> str:
    """How long a refund has waited, in the reader's language ("2 d 3 h", "5 h 10 min")."""
    hours = int(delta.total_seconds() // 3600)
    if hours >= 24:
        return _("%(days)s d %(hours)s h") % {"days": hours // 24, "hours": hours % 24}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": int(delta.total_seconds() // 60) % 60}


def refund_queue_totals(now=None) -> dict:
    """Count, total and the oldest age of the manual queue, and what is waiting on QPay (the refund
    queue's page and the ledger report)."""
    now = now or timezone.now()
    manual = Refund.objects.filter(status=RefundStatus.MANUAL_REQUIRED).aggregate(
        count=Count("id"), total=Coalesce(Sum("amount"), ZERO), oldest=Min("created_at")
    )
    qpay = Refund.objects.filter(status=RefundStatus.QPAY_PENDING).aggregate(
        count=Count("id"), total=Coalesce(Sum("amount"), ZERO)
    )
    return {
        "manual_count": manual["count"],
        "manual_total": manual["total"],
        "manual_oldest_age": age_text(now - manual["oldest"]) if manual["oldest"] else "",
        "qpay_count": qpay["count"],
        "qpay_total": qpay["total"],
    }
