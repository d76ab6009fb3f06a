"""Deposit payments: invoice creation, applying QPay's verdict, bounded re-checks.

Locking order everywhere: booking row, then transaction row (``booking_move`` locks the booking
again, which is re-entrant inside one transaction). No transaction is ever held open across a
call to the worker: ``payment_create`` claims a pending row, commits, calls the worker, then
fills the row in (or deletes the claim if the worker failed).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Tattooist
from bookings import rules
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, PaymentStatus, status_word
from bookings.transitions import PAYMENT_TRANSITIONS, booking_move, settle_enqueue
from payments import ledger, worker_client
from payments.models import Transaction, TransactionFlag, TransactionStatus
from payments.transitions import transaction_set_status
from tattoo.core import jobs
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError, UpstreamUnavailable
from tattoo.core.money import CURRENCY, is_whole, quantize
from tattoo.core.rates import rate_refusal

log = logging.getLogger("inkbook.payments")
security_log = logging.getLogger("inkbook.security")

PAYABLE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)
SETTLED_PAYMENT = (PaymentStatus.PAID, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED)
SETTLED_TRANSACTION = (TransactionStatus.PAID, TransactionStatus.REFUNDED, TransactionStatus.PARTIALLY_REFUNDED)


class UnknownInvoice(ApplicationError):
    """A notification for an invoice we never issued: 404, and the worker stops retrying."""

    status_code = 404
    default_code = "unknown_invoice"


def transaction_reference(txn: Transaction) -> str:
    """Our reference for a transaction: it travels in the QPay callback URL path."""
    return f"T{txn.pk}"


def _claim_is_stale(txn: Transaction, now: datetime) -> bool:
    # A claim without an invoice older than a worker round trip belongs to a request that died.
    return txn.created_at < now - timedelta(seconds=settings.WORKER_TIMEOUT_SECONDS * 2 + 5)


def _cancel_invoice(txn: Transaction) -> str:
    """Cancel one invoice at QPay (the worker checks it once more right after, for a payment
    racing the cancel, which is applied rather than lost). MOVES MONEY: the QR stops working."""
    answer = worker_client.cancel_invoice(qpay_invoice_id=txn.qpay_invoice_id, reference=transaction_reference(txn))
    check = answer.get("check") or {}
    outcome = "cancelled"
    if check.get("status") == "paid":
        # The payment won the race against the cancel (or an earlier part was paid): apply it.
        if payment_notification_apply(payload=check) not in ("duplicate", "ignored"):
            outcome = "paid"
    now = timezone.now()
    Transaction.objects.filter(pk=txn.pk, invoice_cancelled_at=None).update(invoice_cancelled_at=now, updated_at=now)
    # A conditional write: only a still-pending invoice becomes cancelled (the one way there in
    # payments/transitions.py; the WHERE makes it race-safe without a lock).
    Transaction.objects.filter(pk=txn.pk, status=TransactionStatus.PENDING).update(
        status=TransactionStatus.CANCELLED, updated_at=now
    )
    return outcome


def _retire_expired_invoice(booking_id: int) -> None:
    """Cancel an expired open invoice at QPay before replacing it."""
    old = (
        Transaction.objects.filter(
            booking_id=booking_id, status=TransactionStatus.PENDING, expires_at__lte=timezone.now()
        )
        .exclude(qpay_invoice_id=None)
        .first()
    )
    if old is not None:
        _cancel_invoice(old)


def payment_invoice_cancel(*, booking: Booking, actor=None) -> str:
    """Stop the booking's open QPay invoices from being paid (hold expired, booking cancelled).

    QPay does not enforce invoice expiry, so a stale QR stays payable until cancelled; an
    underpaid invoice is still open too. Returns ``none`` (no open invoice), ``cancelled``, or
    ``paid`` when a payment raced the cancel and was applied. Raises UpstreamUnavailable when the
    worker is down; the caller decides whether to retry.
    """
    outcome = "none"
    for txn in list(_open_invoices(booking.pk)):
        outcome = "paid" if _cancel_invoice(txn) == "paid" or outcome == "paid" else "cancelled"
    if outcome == "cancelled":
        with transaction.atomic():
            current = Booking.objects.select_for_update().get(pk=booking.pk)
            still_open = _open_invoices(booking.pk).exists()
            paid = Transaction.objects.filter(booking=booking, status=TransactionStatus.UNDERPAID).exists()
            if current.payment_status == PaymentStatus.PENDING and not still_open and not paid:
                booking_move(
                    booking_id=booking.pk,
                    actor=actor,
                    to_payment_status=PaymentStatus.UNPAID,
                    note="QPay invoice cancelled",
                )
    return outcome


def payment_refusal(*, booking: Booking, user=None) -> ApplicationError | None:
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


def payment_create(*, user, booking_id: int) -> tuple[Transaction, bool]:
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
        pending = (
            Transaction.objects.select_for_update().filter(booking=booking, status=TransactionStatus.PENDING).first()
        )
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


# --- applying QPay's verdict ------------------------------------------------------------------
def _field(payload: dict, name: str, errors: dict) -> str:
    value = payload.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        errors[name] = ["Must be a string."]
        return ""
    return str(value)


def _clean_notification(payload: Any) -> dict:
    if not isinstance(payload, dict):
        raise ApplicationError("The notification must be a JSON object.", fields={"nonFieldErrors": ["Not an object."]})
    errors: dict[str, list[str]] = {}
    invoice_id = _field(payload, "qpayInvoiceId", errors)
    if not invoice_id:
        errors.setdefault("qpayInvoiceId", ["Required."])
    status = _field(payload, "status", errors)
    if status not in ("paid", "unpaid"):
        errors["status"] = ["paid or unpaid."]
    try:
        paid = quantize(payload.get("paidAmount", "0") or "0")
        if paid < 0:
            raise ValueError
    except (ValueError, InvalidOperation):
        errors["paidAmount"] = ["A non-negative amount."]
        paid = Decimal("0")
    payment_id = _field(payload, "qpayPaymentId", errors)
    if status == "paid" and not payment_id:
        errors["qpayPaymentId"] = ["Required when paid."]
    if errors:
        raise ApplicationError("Invalid notification.", fields=errors)
    paid_at = None
    for key in ("paidAt", "checkedAt"):
        raw = payload.get(key)
        parsed = parse_datetime(raw) if isinstance(raw, str) else None
        if parsed is not None and parsed.tzinfo is not None:
            paid_at = parsed
            break
    payment_type = _field(payload, "paymentType", errors).upper()[:16]
    rows = _payment_rows(payload, errors, payment_id=payment_id[:64], payment_type=payment_type, paid=paid)
    if errors:
        raise ApplicationError("Invalid notification.", fields=errors)
    for row in rows:
        row["paid_at"] = row["paid_at"] or paid_at
    return {
        "invoice_id": invoice_id[:64],
        "status": status,
        "paid": paid,
        "currency": _field(payload, "currency", errors).upper() or CURRENCY,
        "payment_id": payment_id[:64],
        "payment_type": payment_type,
        "reference": _field(payload, "reference", errors),
        "paid_at": paid_at,
        "rows": rows,
    }


_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _payment_rows(payload: dict, errors: dict, *, payment_id: str, payment_type: str, paid: Decimal) -> list[dict]:
    """The paid rows of the check, each with its own id, type and amount (docs/deposits.md). A
    notification in the older shape (no ``payments``) is one row: the total less what is known."""
    raw = payload.get("payments")
    if raw is None:
        return [
            {"payment_id": payment_id, "payment_type": payment_type, "amount": paid, "paid_at": None, "legacy": True}
        ]
    rows = []
    if not isinstance(raw, list):
        errors["payments"] = ["A list of payment rows."]
        return rows
    for item in raw:
        try:
            row_id = str(item["paymentId"])
            row_amount = quantize(str(item["amount"]))
            if not _ID_RE.match(row_id) or row_amount <= 0:
                raise ValueError
        except (KeyError, TypeError, ValueError, InvalidOperation):
            errors["payments"] = ["Each row needs a paymentId and a positive amount."]
            return []
        if str(item.get("currency") or CURRENCY).upper() != CURRENCY:
            continue  # never credited (the whole notification is rejected on its currency)
        at = item.get("paidAt")
        parsed = parse_datetime(at) if isinstance(at, str) else None
        rows.append(
            {
                "payment_id": row_id,
                "payment_type": str(item.get("paymentType") or "").upper()[:16],
                "amount": row_amount,
                "paid_at": parsed if parsed is not None and parsed.tzinfo is not None else None,
                "legacy": False,
            }
        )
    if sum((r["amount"] for r in rows), Decimal("0")) != paid and payload.get("currency", CURRENCY) == CURRENCY:
        errors["payments"] = ["The rows do not add up to paidAmount."]
    return rows


def _move_payment(booking: Booking, note: str, to_status: str | None = None, expect: str | None = None) -> None:
    target = PaymentStatus.PAID
    if booking.payment_status != target and target not in PAYMENT_TRANSITIONS.get(booking.payment_status, ()):
        target = None  # e.g. already refunded: record the money on the transaction only
    booking_move(
        booking_id=booking.pk,
        actor=None,
        to_status=to_status,
        to_payment_status=target,
        note=note,
        expect_status=expect,
    )


def payment_notification_apply(*, payload: Any) -> str:
    """Apply a payment/check verdict relayed by the worker. Idempotent; returns the outcome:
    ``processed``, ``duplicate``, ``ignored`` (nothing paid), ``underpaid``, ``rejected`` (currency),
    ``late_payment`` (paid after the slot was lost: refund by hand)."""
    data = _clean_notification(payload)
    found = Transaction.objects.filter(qpay_invoice_id=data["invoice_id"]).values_list("pk", "booking_id").first()
    if found is None:
        security_log.warning("notification for unknown QPay invoice %s", data["invoice_id"])
        raise UnknownInvoice(_("No payment with this invoice."))
    txn_pk, booking_pk = found
    if data["reference"] and data["reference"] != f"T{txn_pk}":
        security_log.warning(
            "notification reference %s does not match invoice %s", data["reference"], data["invoice_id"]
        )
        raise UnknownInvoice(_("The reference does not match the invoice."))
    if data["status"] != "paid" or data["paid"] <= 0:
        return "ignored"
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # A held lock answers 503 (the worker retries) instead of hanging the request.
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.PAYMENT_LOCK_TIMEOUT_MS}ms"])
            booking = Booking.objects.select_for_update().get(pk=booking_pk)
            txn = Transaction.objects.select_for_update().get(pk=txn_pk)
            return _apply_locked(txn, booking, data, payload)
    except OperationalError as exc:
        if "lock timeout" in str(exc).lower():
            raise UpstreamUnavailable(_("The payment is busy; retry shortly."), code="busy") from exc
        raise


def _fresh_rows(txn: Transaction, data: dict) -> list[dict]:
    rows = data["rows"]
    if len(rows) == 1 and rows[0]["legacy"]:
        # The older one-row shape carries the invoice's running total: the new part is the rest.
        known = txn.payments.aggregate(total=Coalesce(Sum("amount"), Decimal("0")))["total"]
        rows = [{**rows[0], "amount": rows[0]["amount"] - known}]
    return rows


def _apply_locked(txn: Transaction, booking: Booking, data: dict, payload: dict) -> str:
    now = timezone.now()
    if data["currency"] != CURRENCY:
        if txn.flag != TransactionFlag.CURRENCY_MISMATCH:
            txn.flag = TransactionFlag.CURRENCY_MISMATCH
            txn.raw_payload = payload
            txn.processed_at = now
            txn.save(update_fields=["flag", "raw_payload", "processed_at", "updated_at"])
        security_log.warning("QPay invoice %s paid in %s; not credited", data["invoice_id"], data["currency"])
        return "rejected"
    # Every payment row is recorded once, whatever the transaction's state: money that reaches a
    # settled or refunded invoice is still real and must end up refunded or kept (docs/deposits.md).
    fresh = ledger.payments_record(txn=txn, booking=booking, rows=_fresh_rows(txn, data))
    if not fresh:
        if data["payment_id"] and (
            Transaction.objects.filter(qpay_payment_id=data["payment_id"]).exclude(pk=txn.pk).exists()
        ):
            security_log.warning("QPay payment %s already credited to another transaction", data["payment_id"])
        return "duplicate"
    was_settled = txn.status in SETTLED_TRANSACTION
    txn.paid_amount = quantize(txn.payments.aggregate(total=Sum("amount"))["total"])
    last = fresh[-1]
    if not Transaction.objects.filter(qpay_payment_id=last.qpay_payment_id).exclude(pk=txn.pk).exists():
        txn.qpay_payment_id = last.qpay_payment_id
    types = sorted({p.payment_type for p in txn.payments.all() if p.payment_type})
    txn.payment_type = ",".join(types)[:16]
    txn.paid_at = data["paid_at"] or now
    txn.raw_payload = payload
    txn.processed_at = now
    txn.last_checked_at = now
    note = f"QPay payment {last.qpay_payment_id}: {txn.paid_amount} MNT"
    if was_settled:
        # More money on an invoice already paid (or refunded): whatever the booking does not
        # need is refunded by the policy.
        txn.save()
        payment_unwanted_decide(txn=txn, booking=booking)
        log.warning("booking %s: more money on settled invoice %s", booking.pk, txn.qpay_invoice_id)
        return "double_payment" if booking.status in ACTIVE_STATUSES else "late_payment"
    if txn.paid_amount < txn.amount:
        transaction_set_status(txn, TransactionStatus.UNDERPAID)
        txn.flag = TransactionFlag.UNDERPAID
        txn.save()
        log.warning("booking %s: deposit underpaid (%s of %s MNT)", booking.pk, txn.paid_amount, txn.amount)
        if booking.status not in ACTIVE_STATUSES:
            payment_unwanted_decide(txn=txn, booking=booking)  # a hold that is over: refund it
        return "underpaid"

    transaction_set_status(txn, TransactionStatus.PAID)
    txn.flag = TransactionFlag.OVERPAID if txn.paid_amount > txn.amount else TransactionFlag.NONE
    outcome, lost_by = "processed", ""
    already_paid = (
        Transaction.objects.filter(booking_id=booking.pk, status__in=SETTLED_TRANSACTION).exclude(pk=txn.pk).exists()
    )
    if already_paid:
        # A second invoice of the same booking got paid too (e.g. an old QR paid after it was
        # replaced): the money is real, the deposit was already covered, so it is refunded.
        txn.flag = TransactionFlag.OVERPAID
        txn.save()
        payment_unwanted_decide(txn=txn, booking=booking)
        log.warning("booking %s: deposit paid twice (payment %s); refunded", booking.pk, last.qpay_payment_id)
        return "double_payment"
    if booking.status == BookingStatus.PENDING:
        _move_payment(booking, note, to_status=BookingStatus.CONFIRMED, expect=BookingStatus.PENDING)
    elif booking.status == BookingStatus.EXPIRED:
        refusal = _late_payment_slot_refusal(booking, now=now)
        if refusal is None:
            try:
                with transaction.atomic():  # savepoint: the exclusion constraint decides
                    _move_payment(
                        booking,
                        f"{note}; late payment re-took the slot",
                        to_status=BookingStatus.CONFIRMED,
                        expect=BookingStatus.EXPIRED,
                    )
            except IntegrityError:
                outcome, lost_by = "late_payment", "slot_taken"
        else:
            outcome, lost_by = "late_payment", refusal.code
    elif booking.status in ACTIVE_STATUSES:
        _move_payment(booking, note)
    else:
        outcome, lost_by = "late_payment", booking.status
    if outcome == "late_payment":
        booking.refresh_from_db()
        txn.flag = TransactionFlag.LATE_PAYMENT
        # The rule's refusal code (bookings/rules.py) says why the slot could not be taken back.
        _move_payment(booking, f"{note}; arrived after the slot was lost ({lost_by}): refunded")
        txn.save()
        payment_unwanted_decide(txn=txn, booking=booking)
        log.warning("booking %s: late payment %s refunded (%s)", booking.pk, last.qpay_payment_id, lost_by)
    else:
        txn.save()
        if txn.flag == TransactionFlag.OVERPAID:
            payment_unwanted_decide(txn=txn, booking=booking)  # the part above the deposit goes back
    others = list(
        Transaction.objects.filter(booking_id=booking.pk, status=TransactionStatus.PENDING)
        .exclude(pk=txn.pk)
        .exclude(qpay_invoice_id=None)
        .values_list("pk", flat=True)
    )
    if others:
        # Another open invoice for this booking must not be paid as well: cancel it at QPay (a job).
        settle_enqueue(booking)
    return outcome


def _late_payment_slot_refusal(booking: Booking, *, now: datetime) -> ApplicationError | None:
    """A late payment brings an expired hold back only if the hold may still take its slot, by the
    one rule every booking's time obeys (bookings/rules.py): the artist still approved and active,
    the slot ahead, inside their hours, free of time off and of other bookings. No artist lock here
    (the booking's is held, and the lock order is artist first): the exclusion constraint decides
    a race, in the caller's savepoint."""
    artist = Tattooist.objects.select_related("user").get(pk=booking.tattooist_id)
    return rules.slot_refusal(artist=artist, slot=booking.slot, ends_at=booking.ends_at, now=now, booking=booking)


def payment_unwanted_decide(*, txn: Transaction, booking: Booking) -> None:
    """The one decision about money a booking does not want (it was cancelled or expired, or it
    is more than the deposit): the deposit policy settles it through the ledger, refunding per
    payment row (CARD through QPay as a job, P2P to the manual queue). Called under the booking
    and transaction row locks; `txn` is saved."""
    txn.save()
    current = Booking.objects.get(pk=booking.pk)
    ledger.deposit_settle_locked(booking=current)
    txn.refresh_from_db()


# --- bounded re-checks (QPay forbids polling) ---------------------------------------------------
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
    txn = (
        Transaction.objects.filter(booking=booking, status__in=[TransactionStatus.PENDING, TransactionStatus.UNDERPAID])
        .exclude(qpay_invoice_id=None)
        .order_by("-created_at")
        .first()
    )
    if txn is not None:
        try:
            payment_recheck(transaction_id=txn.pk)
        except UpstreamUnavailable:
            if raise_unavailable:
                raise
            log.warning("booking %s: pre-expiry payment check failed (worker unreachable)", booking.pk)
    booking.refresh_from_db()
    return booking.payment_status == PaymentStatus.PAID


# --- lifecycle checks: one bounded check per point where a lost callback would matter ----------
# QPay forbids polling payment/check on a timer (docs/jobs.md, "Payment checks"), and the worker's forward of a
# payment to this app can fail for good. So the web app asks once at each lifecycle point, each a
# job scheduled for that moment (payments/tasks.py): before a hold expires (payment_before_expiry),
# before a cancelled booking's invoice is cancelled, when an invoice reaches its expiry, and 24 h
# before a confirmed but unpaid session. Each raises UpstreamUnavailable when the worker cannot be
# reached, so its job retries with backoff; each is a no-op once there is nothing left to check.


def _open_invoices(booking_id: int):
    """Invoices whose QR can still be paid: issued, not cancelled at QPay, not paid in full."""
    return (
        Transaction.objects.filter(
            booking_id=booking_id,
            status__in=(TransactionStatus.PENDING, TransactionStatus.UNDERPAID),
            invoice_cancelled_at=None,
        )
        .exclude(qpay_invoice_id=None)
        .order_by("created_at", "id")
    )


def payment_check_before_invoice_cancel(*, booking_id: int) -> str:
    """Older name of the settle job (jobs enqueued before it existed still run): see
    payment_settle_booking."""
    return payment_settle_booking(booking_id=booking_id)["invoices"]


def invoices_unwanted(booking: Booking) -> bool:
    """An invoice is wanted only while the booking is live and its deposit not yet paid."""
    return booking.status not in ACTIVE_STATUSES or booking.payment_status in SETTLED_PAYMENT


def payment_settle_booking(*, booking_id: int) -> dict:
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
        for txn in list(_open_invoices(booking_id)):
            if payment_recheck(transaction_id=txn.pk) not in (None, "ignored", "duplicate"):
                found_paid = True
        booking.refresh_from_db()
        if _open_invoices(booking_id).exists():
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
    outcomes = [payment_recheck(transaction_id=txn.pk) for txn in _open_invoices(booking_id)]
    outcome = "paid" if "processed" in outcomes else "unpaid" if outcomes else "none"
    log.info("booking %s: pre-session payment check: %s", booking_id, outcome)
    return outcome
