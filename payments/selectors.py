from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from payments.models import Refund, RefundStatus, Transaction, TransactionStatus
from tattoo.core.errors import NotAllowedError

ZERO = Decimal("0.00")


def transaction_for_party(*, user: User, qpay_invoice_id: str) -> Transaction:
    """The transaction behind an invoice, for the booking's customer, its artist or staff."""
    txn = get_object_or_404(
        Transaction.objects.select_related("booking", "booking__tattooist"), qpay_invoice_id=qpay_invoice_id
    )
    booking = txn.booking
    if user.is_admin or booking.customer_id == user.pk or booking.tattooist.user_id == user.pk:
        return txn
    raise NotAllowedError(_("Only the booking's parties can see its payment."))


def open_invoices(
    *,
    booking_id: int,
    pending: bool = False,
    claims: bool = False,
    expired_by: datetime | None = None,
    lock: bool = False,
) -> QuerySet[Transaction]:
    """A booking's open invoices, oldest first: the one answer to "which QR can still be paid".

    Open: issued at QPay, and still taking money: pending (nothing paid yet; the cancel at QPay
    moves it to cancelled in the same commit), or underpaid and not cancelled at QPay (a top-up
    completes it; an underpaid invoice keeps its status when cancelled, so ``invoice_cancelled_at``
    says it is closed).

    - ``pending``: only the pending one, the invoice the customer is shown and a new one replaces
      (at most one per booking: the ``transactions_one_pending_per_booking`` index).
    - ``claims``: also the claim ``payment_create`` holds while QPay makes its invoice (a pending
      row without an invoice id), so that index's one row is found whatever its stage.
    - ``expired_by``: only those whose own expiry is at or before this moment.
    - ``lock``: ``SELECT ... FOR UPDATE``; the caller holds the booking's row lock first (lock order).
    """
    if pending:
        still_open = Q(status=TransactionStatus.PENDING)
    else:
        still_open = Q(status=TransactionStatus.PENDING) | Q(
            status=TransactionStatus.UNDERPAID, invoice_cancelled_at=None
        )
    rows = Transaction.objects.filter(still_open, booking_id=booking_id)
    if not claims:
        rows = rows.exclude(qpay_invoice_id=None)
    if expired_by is not None:
        rows = rows.filter(expires_at__lte=expired_by)
    if lock:
        rows = rows.select_for_update()
    return rows.order_by("created_at", "id")


def age_text(delta: timedelta) -> str:
    """How long a refund has waited, in the reader's language ("2 d 3 h", "5 h 10 min")."""
    hours = int(delta.total_seconds() // 3600)
    if hours >= 24:
        return _("%(days)s d %(hours)s h") % {"days": hours // 24, "hours": hours % 24}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": int(delta.total_seconds() // 60) % 60}


def refund_queue_totals(now: datetime | None = None) -> dict[str, object]:
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
