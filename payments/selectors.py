from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from payments.models import Transaction
from tattoo.core.errors import NotAllowedError


def transaction_for_party(*, user, qpay_invoice_id: str) -> Transaction:
    """The transaction behind an invoice, for the booking's customer, its artist or staff."""
    txn = get_object_or_404(
        Transaction.objects.select_related("booking", "booking__tattooist"), qpay_invoice_id=qpay_invoice_id
    )
    booking = txn.booking
    if user.is_admin or booking.customer_id == user.pk or booking.tattooist.user_id == user.pk:
        return txn
    raise NotAllowedError(_("Only the booking's parties can see its payment."))
