"""Paying a deposit: the QPay invoice made for it (payment_create), the refusal the pages ask
first (payment_refusal), and cancelling open invoices at QPay (payment_invoice_cancel).

No transaction is ever held open across a call to the worker: ``payment_create`` claims a pending
row, commits, calls the worker, then fills the row in (or deletes the claim if the worker failed).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.models import Booking, BookingStatus, PaymentStatus, status_word
from bookings.transitions import SETTLED_PAYMENT, booking_move, settle_enqueue
from payments import worker_client
from payments.models import Transaction, TransactionStatus
from payments.selectors import open_invoices
from payments.services.verdict import payment_notification_apply
from tattoo.core import jobs
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError, UpstreamUnavailable
from tattoo.core.money import CURRENCY, is_whole
from tattoo.core.rates import rate_refusal

log = logging.getLogger("inkbook.payments")

PAYABLE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


def transaction_reference(txn: Transaction) -> str:
    """Our reference for a transaction: it travels in the QPay callback URL path."""
    return f"T{txn.pk}"


def _claim_is_stale(txn: Transaction, now: datetime) -> bool:
    # A claim without an invoice older than a worker round trip belongs to a request that died.
    return txn.created_at < now - timedelta(seconds=settings.WORKER_TIMEOUT_SECONDS * 2 + 5)


def _cancel_invoice(txn: Transaction) -> str:
    """Cancel one invoice at QPay (the worker checks it once more right after, for a payment
    racing the cancel, which is applied rather than lost). MOVES MONEY: the QR stops working."""
    if txn.qpay_invoice_id is None:
        raise RuntimeError("open_invoices() returns issued invoices only")
    answer = worker_client.cancel_invoice(qpay_invoice_id=txn.qpay_invoice_id, reference=transaction_reference(txn))
    check = answer.get("check") or {}
    outcome = "cancelled"
    # The payment won the race against the cancel (or an earlier part was paid): apply it.
    if check.get("status") == "paid" and payment_notification_apply(payload=check) not in ("duplicate", "ignored"):
        outcome = "paid"
    now = timezone.now()
    # One commit for both writes, so no reader ever sees a pending invoice already cancelled at
    # QPay (payments.selectors.open_invoices counts a pending row open by its status).
    with transaction.atomic():
        Transaction.objects.filter(pk=txn.pk, invoice_cancelled_at=None).update(
            invoice_cancelled_at=now, updated_at=now
        )
        # A conditional write: only a still-pending invoice becomes cancelled (the one way there in
        # payments/transitions.py; the WHERE makes it race-safe without a lock).
        Transaction.objects.filter(pk=txn.pk, status=TransactionStatus.PENDING).update(
            status=TransactionStatus.CANCELLED, updated_at=now
        )
    return outcome


def _retire_expired_invoice(booking_id: int) -> None:
    """Cancel an expired open invoice at QPay before replacing it."""
    old = open_invoices(booking_id=booking_id, pending=True, expired_by=timezone.now()).first()
    if old is not None:
        _cancel_invoice(old)


def payment_invoice_cancel(*, booking: Booking, actor: User | None = None) -> str:
    """Stop the booking's open QPay invoices from being paid (hold expired, booking cancelled).

    QPay does not enforce invoice expiry, so a stale QR stays payable until cancelled; an
    underpaid invoice is still open too. Returns ``none`` (no open invoice), ``cancelled``, or
    ``paid`` when a payment raced the cancel and was applied. Raises UpstreamUnavailable when the
    worker is down; the caller decides whether to retry.
    """
    outcome = "none"
    for txn in list(open_invoices(booking_id=booking.pk)):
        outcome = "paid" if _cancel_invoice(txn) == "paid" or outcome == "paid" else "cancelled"
    if outcome == "cancelled":
        with transaction.atomic():
            current = Booking.objects.select_for_update().get(pk=booking.pk)
            still_open = open_invoices(booking_id=booking.pk).exists()
            paid = Transaction.objects.filter(booking=booking, status=TransactionStatus.UNDERPAID).exists()
            if current.payment_status == PaymentStatus.PENDING and not still_open and not paid:
                booking_move(
                    booking_id=booking.pk,
                    actor=actor,
                    to_payment_status=PaymentStatus.UNPAID,
                    note="QPay invoice cancelled",
                )
    return outcome


def payment_refusal(*, booking: Booking, user: User | None = None) -> ApplicationError | None:
    """Why `booking`'s deposit cannot be paid now (by `user`, when given), or None. payment_create
    raises it under the booking's row lock; the booking page asks it before offering "Pay"."""
    if user is not None and booking.customer_id != user.pk:
        return NotAllowedError(_("Only the booking's customer can pay its deposit."))
    if booking.payment_status in SETTLED_PAYMENT:
        return ConflictError(_("This booking's deposit is already paid."), code="already_paid")
    if booking.status not in PAYABLE_STATUSES:
        return ConflictError(
            _("A %(status)s booking cannot be paid.") % {"status": status_word(booking.status)},
            code="booking_not_payable",
        )
    if booking.deposit_amount <= 0:
        return ConflictError(_("This booking has no deposit to pay."), code="no_deposit")
    if not is_whole(booking.deposit_amount):
        # QPay takes whole tugrik only; never round a deposit silently.
        return ConflictError(_("The deposit is not a whole MNT amount."), code="deposit_not_whole")
    if Transaction.objects.filter(booking=booking, status=TransactionStatus.UNDERPAID).exists():
        return ConflictError(
            _("Part of the deposit arrived; staff will settle the rest with you."), code="payment_underpaid"
        )
    return None


def payment_create(*, user: User, booking_id: int) -> tuple[Transaction, bool]:
    """Return the booking's open invoice, or create one at QPay through the worker.

    Returns (transaction, created). The amount is the booking's stored deposit, never input.
    """
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        raise Http404
    if booking.customer_id != user.pk:  # before anything else: a stranger learns nothing more
        raise NotAllowedError(_("Only the booking's customer can pay its deposit."))
    # Each invoice is a QPay call (docs/api.md, "Rates").
    limited = rate_refusal(scope="payment_create", user_id=user.pk, rate=settings.PAYMENT_CREATE_RATE)
    if limited is not None:
        raise limited
    _retire_expired_invoice(booking.pk)

    now = timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        refusal = payment_refusal(booking=booking)
        if refusal is not None:
            raise refusal
        # The booking's one pending row (the partial unique index), a claim or an invoice.
        pending = open_invoices(booking_id=booking.pk, pending=True, claims=True, lock=True).first()
        if pending is not None:
            if pending.qpay_invoice_id and pending.expires_at and pending.expires_at > now:
                return pending, False
            if pending.qpay_invoice_id:
                raise ConflictError(_("The previous invoice is being closed; try again."), code="payment_in_progress")
            if not _claim_is_stale(pending, now):
                raise ConflictError(_("An invoice is being created for this booking."), code="payment_in_progress")
            pending.delete()
        # The claim: the partial unique index allows one pending row per booking, so a concurrent
        # request cannot mint a second QPay invoice.
        claim = Transaction.objects.create(booking=booking, amount=booking.deposit_amount, currency=CURRENCY)
        hold = booking.hold_expires_at
    minutes = settings.PAYMENT_INVOICE_MINUTES
    expires_at = hold if hold and hold > now else now + timedelta(minutes=minutes)

    reference = transaction_reference(claim)
    try:
        answer = worker_client.create_invoice(
            reference=reference,
            sender_invoice_no=f"INK-B{booking.pk}-{reference}",
            booking_id=booking.pk,
            amount=int(claim.amount),
            description=f"Inkbook deposit, booking {booking.pk}",
            notify_url=settings.PAYMENT_NOTIFY_URL,
            return_url=f"{settings.SITE_URL}/bookings/{booking.pk}",
            expires_at=expires_at.isoformat(),
        )
        invoice_id = str(answer.get("qpayInvoiceId") or "")
        if not invoice_id:
            raise UpstreamUnavailable(_("The payment service answered without an invoice."))
    except BaseException as exc:
        # Nothing half-written: the claim goes, the customer can simply try again.
        Transaction.objects.filter(pk=claim.pk, qpay_invoice_id=None).delete()
        if isinstance(exc, ApplicationError) and not isinstance(exc, UpstreamUnavailable):
            # QPay or the worker refused a request we built ourselves: an operations fault.
            log.error("invoice for booking %s refused: %s", booking.pk, exc)
            raise UpstreamUnavailable(_("The payment provider refused the invoice; try again later.")) from exc
        raise

    with transaction.atomic():
        Booking.objects.select_for_update().get(pk=booking.pk)  # booking lock first (lock order)
        txn = Transaction.objects.select_for_update().filter(pk=claim.pk, status=TransactionStatus.PENDING).first()
        if txn is None:
            raise ConflictError(
                _("The payment changed while the invoice was created; try again."), code="payment_in_progress"
            )
        txn.qpay_invoice_id = invoice_id
        txn.qr_text = str(answer.get("qrText") or "")
        txn.qr_image = str(answer.get("qrImage") or "")
        txn.checkout_url = str(answer.get("checkoutUrl") or "")[:1024]
        txn.bank_links = answer.get("bankLinks") or []
        txn.expires_at = expires_at
        current = Booking.objects.get(pk=booking.pk)
        if current.status not in PAYABLE_STATUSES or current.payment_status in SETTLED_PAYMENT:
            # The booking expired, was cancelled or got paid while QPay made the invoice: it must
            # not stay payable. Keep its id (so a payment racing us is still found) and cancel it
            # at QPay as a job, in this transaction.
            txn.save()
            settle_enqueue(booking)
            unwanted = current.status
        else:
            unwanted = None
            txn.save()
            # The invoice's own expiry: one check then, and a cancel at QPay if still unpaid.
            jobs.enqueue("payments.check_at_invoice_expiry", at=expires_at, transaction_id=txn.pk)
            if current.payment_status == PaymentStatus.UNPAID:
                booking_move(
                    booking_id=booking.pk,
                    actor=user,
                    to_payment_status=PaymentStatus.PENDING,
                    note=f"QPay invoice {invoice_id} issued for {txn.amount} MNT",
                )
    if unwanted is not None:
        raise ConflictError(
            _("The booking became %(unwanted)s while the invoice was made; it cannot be paid.")
            % {"unwanted": status_word(unwanted)},
            code="booking_not_payable",
        )
    return txn, True
