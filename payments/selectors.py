from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import User
from payments.models import Transaction, TransactionStatus
from tattoo.core.errors import NotAllowedError


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
