"""Applying QPay's verdict: a payment/check answer relayed by the worker (the notify endpoint, or a
re-check's answer) credited once, under the booking's then the transaction's row lock; a payment
that arrives after its hold expired takes the slot back only by the one slot rule, else it is
refunded (payment_unwanted_decide).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Tattooist
from bookings import rules
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, PaymentStatus
from bookings.transitions import PAYMENT_TRANSITIONS, booking_move, settle_enqueue
from payments import ledger
from payments.ledger import PaymentRow
from payments.models import Transaction, TransactionFlag, TransactionStatus
from payments.selectors import open_invoices
from payments.transitions import transaction_set_status
from tattoo.core.errors import ApplicationError, UpstreamUnavailable
from tattoo.core.money import CURRENCY, quantize

log = logging.getLogger("inkbook.payments")
security_log = logging.getLogger("inkbook.security")

SETTLED_TRANSACTION = (TransactionStatus.PAID, TransactionStatus.REFUNDED, TransactionStatus.PARTIALLY_REFUNDED)

# The notification's JSON as it came (objects of any values): read field by field, stored as raw_payload.
Payload = dict[str, Any]


class UnknownInvoice(ApplicationError):
    """A notification for an invoice we never issued: 404, and the worker stops retrying."""

    status_code = 404
    default_code = "unknown_invoice"


class _Row(PaymentRow):
    legacy: bool  # the older one-row shape: the invoice's running total, not one payment


class _Notification(TypedDict):
    invoice_id: str
    status: str
    paid: Decimal
    currency: str
    payment_id: str
    payment_type: str
    reference: str
    paid_at: datetime | None
    rows: list[_Row]


def _field(payload: Payload, name: str, errors: dict[str, list[str]]) -> str:
    value = payload.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        errors[name] = ["Must be a string."]
        return ""
    return str(value)


def _clean_notification(payload: Any) -> _Notification:
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
    paid_at: datetime | None = None
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


def _payment_rows(
    payload: Payload, errors: dict[str, list[str]], *, payment_id: str, payment_type: str, paid: Decimal
) -> list[_Row]:
    """The paid rows of the check, each with its own id, type and amount (docs/deposits.md). A
    notification in the older shape (no ``payments``) is one row: the total less what is known."""
    raw = payload.get("payments")
    if raw is None:
        return [
            {"payment_id": payment_id, "payment_type": payment_type, "amount": paid, "paid_at": None, "legacy": True}
        ]
    rows: list[_Row] = []
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
    target: str | None = PaymentStatus.PAID
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


def _fresh_rows(txn: Transaction, data: _Notification) -> list[_Row]:
    rows = data["rows"]
    if len(rows) == 1 and rows[0]["legacy"]:
        # The older one-row shape carries the invoice's running total: the new part is the rest.
        known = txn.payments.aggregate(total=Coalesce(Sum("amount"), Decimal("0")))["total"]
        rows = [{**rows[0], "amount": rows[0]["amount"] - known}]
    return rows


def _apply_locked(txn: Transaction, booking: Booking, data: _Notification, payload: Payload) -> str:
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
    if open_invoices(booking_id=booking.pk).exclude(pk=txn.pk).exists():
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
