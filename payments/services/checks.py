"""Bounded payment checks. QPay forbids polling payment/check on a timer (docs/jobs.md, "Payment
checks"; docs/qpay.md), and the worker's forward of a payment to this app can fail for good. So the
web app asks the worker once at each point where a lost callback would matter, never on a schedule:

- the customer's "I have paid" (payment_status_recheck_if_due: at most once per booking per
  PAYMENT_STATUS_RECHECK_SECONDS);
- before a hold expires (payment_before_expiry, the bookings.before_hold_expiry hook);
- when a booking stops wanting an invoice, before it is cancelled (payment_settle_booking);
- when an invoice reaches its own expiry (payment_check_at_invoice_expiry);
- 24 h before a confirmed session whose deposit is not recorded as paid (payment_check_before_session).

Each lifecycle check is a job scheduled for its moment (payments/tasks.py). Each raises
UpstreamUnavailable when the worker cannot be reached, so its job retries with backoff; each is a
no-op once there is nothing left to check.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, PaymentStatus
from bookings.transitions import SETTLED_PAYMENT
from payments import ledger, worker_client
from payments.models import Transaction, TransactionStatus
from payments.selectors import open_invoices
from payments.services.invoices import payment_invoice_cancel, transaction_reference
from payments.services.verdict import payment_notification_apply
from tattoo.core.errors import UpstreamUnavailable

log = logging.getLogger("inkbook.payments")


def payment_recheck(*, transaction_id: int) -> str | None:
    """Ask the worker for one payment/check of this transaction's invoice and apply the answer."""
    txn = Transaction.objects.get(pk=transaction_id)
    if not txn.qpay_invoice_id:
        return None
    Transaction.objects.filter(pk=txn.pk).update(last_checked_at=timezone.now())
    answer = worker_client.check_invoice(qpay_invoice_id=txn.qpay_invoice_id, reference=transaction_reference(txn))
    return payment_notification_apply(payload=answer)


def payment_status_recheck_if_due(*, transaction_id: int) -> str | None:
    """The user-initiated "I have paid" path: at most one re-check per booking per
    PAYMENT_STATUS_RECHECK_SECONDS (compare-and-set on last_checked_at, so it holds across processes)."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.PAYMENT_STATUS_RECHECK_SECONDS)
    txn = Transaction.objects.filter(pk=transaction_id).values("booking_id", "status", "qpay_invoice_id").first()
    if not txn or txn["status"] != TransactionStatus.PENDING or not txn["qpay_invoice_id"]:
        return None
    recent = Transaction.objects.filter(booking_id=txn["booking_id"], last_checked_at__gt=cutoff).exists()
    if recent:
        return None
    won = (
        Transaction.objects.filter(pk=transaction_id)
        .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=cutoff))
        .update(last_checked_at=now)
    )
    if not won:
        return None
    try:
        return payment_recheck(transaction_id=transaction_id)
    except UpstreamUnavailable:
        return None  # best effort: the status read still answers with what we know


def payment_before_expiry(*, booking: Booking) -> bool:
    """May this hold with an open invoice expire now? (the bookings.services.expiry.before_hold_expiry hook)

    One last payment check (a lost callback must not lose a paid deposit). If the deposit
    arrived, the booking is confirmed and must not expire. If not, the invoice is cancelled at
    QPay first, so a stale QR cannot be paid after the slot is released (a payment racing the
    cancel is applied as a late payment). If the worker cannot be reached the hold is kept and
    looked at again on the next run.
    """
    try:
        if payment_recheck_before_expiry(booking=booking, raise_unavailable=True):
            return False
        outcome = payment_invoice_cancel(booking=booking)
    except UpstreamUnavailable:
        log.warning("booking %s: worker unreachable before expiry; keeping the hold", booking.pk)
        return False
    return outcome != "paid"


def payment_recheck_before_expiry(*, booking: Booking, raise_unavailable: bool = False) -> bool:
    """One last payment/check before the hold-expiry job expires `booking`.

    A lost callback must not lose a paid deposit: if QPay says the invoice is paid, the notify
    path confirms the booking here. Returns True when the booking is now paid.
    """
    txn = open_invoices(booking_id=booking.pk).last()
    if txn is not None:
        try:
            payment_recheck(transaction_id=txn.pk)
        except UpstreamUnavailable:
            if raise_unavailable:
                raise
            log.warning("booking %s: pre-expiry payment check failed (worker unreachable)", booking.pk)
    booking.refresh_from_db()
    return booking.payment_status == PaymentStatus.PAID


def payment_check_before_invoice_cancel(*, booking_id: int) -> str:
    """Older name of the settle job (jobs enqueued before it existed still run): see
    payment_settle_booking."""
    return payment_settle_booking(booking_id=booking_id)["invoices"]


def invoices_unwanted(booking: Booking) -> bool:
    """An invoice is wanted only while the booking is live and its deposit not yet paid."""
    return booking.status not in ACTIVE_STATUSES or booking.payment_status in SETTLED_PAYMENT


def payment_settle_booking(*, booking_id: int) -> dict[str, str]:
    """The settle job's body, enqueued with every move that ends a booking (cancel, expiry,
    no-show, completion) and whenever a booking stops wanting an invoice (docs/deposits.md):

    1. If no invoice is wanted any more: one last payment check of each open invoice (a payment
       whose callback was lost is applied now), then each is cancelled at QPay so its QR stops
       working (the worker checks once more after the cancel, for a payment racing it).
    2. The deposit policy settles what the booking holds (ledger.deposit_settle): refunds per
       payment row (card refunds enqueued as jobs in the same transaction) or kept by the artist.

    Raises UpstreamUnavailable while the worker cannot be reached, so the job retries with
    backoff; every step is idempotent."""
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        return {"invoices": "none", "refunded": "0.00", "kept": "0.00"}
    invoices = "none"
    if invoices_unwanted(booking):
        found_paid = False
        for txn in list(open_invoices(booking_id=booking_id)):
            if payment_recheck(transaction_id=txn.pk) not in (None, "ignored", "duplicate"):
                found_paid = True
        booking.refresh_from_db()
        if open_invoices(booking_id=booking_id).exists():
            found_paid = payment_invoice_cancel(booking=booking) == "paid" or found_paid
            invoices = "cancelled"
        invoices = "paid" if found_paid else invoices
    settled = ledger.deposit_settle(booking_id=booking_id)
    log.info("booking %s settled: invoices %s, %s", booking_id, invoices, settled)
    return {"invoices": invoices, "refunded": f"{settled['refunded']:.2f}", "kept": f"{settled['kept']:.2f}"}


def payment_check_at_invoice_expiry(*, transaction_id: int, now: datetime | None = None) -> str:
    """An invoice reached its own expiry (QPay does not enforce it): check it once, and if it is
    still unpaid cancel it at QPay so a stale QR cannot be paid later. An unpaid hold whose expiry
    job runs at the same moment makes that check itself (``hold_job``)."""
    now = now or timezone.now()
    txn = Transaction.objects.select_related("booking").filter(pk=transaction_id).first()
    if txn is None or txn.status != TransactionStatus.PENDING or not txn.qpay_invoice_id:
        return "none"
    if txn.expires_at and txn.expires_at > now:
        return "not_due"
    booking = txn.booking
    if (
        booking.status == BookingStatus.PENDING
        and booking.payment_status in (PaymentStatus.UNPAID, PaymentStatus.PENDING)
        and booking.hold_expires_at is not None
        and txn.expires_at is not None
        and booking.hold_expires_at <= txn.expires_at
    ):
        return "hold_job"
    outcome = payment_recheck(transaction_id=txn.pk) or "none"
    if Transaction.objects.filter(pk=txn.pk, status=TransactionStatus.PENDING).exists():
        outcome = payment_invoice_cancel(booking=booking)
    log.info("invoice %s expired: %s", txn.qpay_invoice_id, outcome)
    return outcome


def payment_check_before_session(*, booking_id: int, slot: str) -> str:
    """24 h before a confirmed session whose deposit is not recorded as paid: check its open
    invoices once. `slot` is the start the check was scheduled for; a booking moved since has a
    newer job, so this one does nothing (``moved``)."""
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None or booking.status != BookingStatus.CONFIRMED or booking.payment_status in SETTLED_PAYMENT:
        return "none"
    if parse_datetime(slot) != booking.slot:
        return "moved"
    outcomes = [payment_recheck(transaction_id=txn.pk) for txn in open_invoices(booking_id=booking_id)]
    outcome = "paid" if "processed" in outcomes else "unpaid" if outcomes else "none"
    log.info("booking %s: pre-session payment check: %s", booking_id, outcome)
    return outcome
