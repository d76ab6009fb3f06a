"""The deposit ledger: every amount of a booking's deposit, and the policy that moves it
(docs/deposits.md).

Money in is a `Payment` row per QPay payment (an invoice paid in parts has several); money out is
a `Refund` row per payment row (CARD rows go to QPay through the worker, as a job; P2P rows to the
staff's manual queue); money the artist keeps is `Payment.kept_amount`. What is left is held for
the booking. Invariant, per row and so per booking and in sum:

    paid = refunded + refundPending + kept + applied + held,   every term >= 0,
    held > 0 only for a live booking (pending, confirmed, disputed), and never above the deposit;
    or for a project's first session whose deposit waits for its last session (deposit role
    `carry`, docs/deposits.md "Projects"). `applied` is a project's deposit applied to the session
    it pays toward, once.

The database guarantees the "never negative" half (CHECK on deposit_payments). Every write here
runs under the booking's row lock (taken first, as everywhere in payments) and the rows' locks,
writes a `LedgerEvent`, and enqueues its side effects (card refunds) in the same transaction.
The transaction and booking columns that summarise money (`transactions.refunded_amount`,
`refund_state`, `bookings.payment_status`) are recomputed from the rows here and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypedDict

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from bookings import deposit_window, notices
from bookings.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingEvent,
    BookingStatus,
    DepositRole,
    PaymentStatus,
    status_word,
)
from bookings.transitions import PAYMENT_TRANSITIONS, booking_move
from payments.models import (
    REFUND_DONE,
    REFUND_OPEN,
    LedgerEvent,
    LedgerEventKind,
    Payment,
    Refund,
    RefundState,
    RefundStatus,
    Transaction,
    TransactionStatus,
)
from payments.transitions import transaction_set_status
from tattoo.core import jobs
from tattoo.core.errors import ApplicationError
from tattoo.core.l10n import money
from tattoo.core.money import quantize

log = logging.getLogger("inkbook.payments.ledger")

ZERO = Decimal("0.00")
CARD = "CARD"

# The refund state machine: one table, one function that moves a refund (refund_move).
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RefundStatus.QPAY_PENDING: frozenset({RefundStatus.QPAY_REFUNDED, RefundStatus.MANUAL_REQUIRED}),
    RefundStatus.MANUAL_REQUIRED: frozenset({RefundStatus.MANUAL_DONE}),
    RefundStatus.QPAY_REFUNDED: frozenset(),
    RefundStatus.MANUAL_DONE: frozenset(),
}


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ledger:
    required: Decimal
    paid: Decimal
    refunded: Decimal
    kept: Decimal
    refund_pending: Decimal
    applied: Decimal = ZERO

    @property
    def held(self) -> Decimal:
        return self.paid - self.refunded - self.kept - self.refund_pending - self.applied

    def as_api(self) -> dict[str, str]:
        return {
            "required": f"{self.required:.2f}",
            "paid": f"{self.paid:.2f}",
            "refunded": f"{self.refunded:.2f}",
            "kept": f"{self.kept:.2f}",
            "refund_pending": f"{self.refund_pending:.2f}",
            "applied": f"{self.applied:.2f}",
        }


def deposit_ledger(*, booking: Booking) -> Ledger:
    """The booking's deposit in six amounts (two aggregate queries)."""
    rows = Payment.objects.filter(booking_id=booking.pk).aggregate(
        paid=Coalesce(Sum("amount"), ZERO),
        kept=Coalesce(Sum("kept_amount"), ZERO),
        applied=Coalesce(Sum("applied_amount"), ZERO),
    )
    refunds = Refund.objects.filter(booking_id=booking.pk).aggregate(
        done=Coalesce(Sum("amount", filter=Q(status__in=REFUND_DONE)), ZERO),
        open=Coalesce(Sum("amount", filter=Q(status__in=REFUND_OPEN)), ZERO),
    )
    return Ledger(
        required=quantize(booking.deposit_amount),
        paid=quantize(rows["paid"]),
        refunded=quantize(refunds["done"]),
        kept=quantize(rows["kept"]),
        refund_pending=quantize(refunds["open"]),
        applied=quantize(rows["applied"]),
    )


def deposit_ledger_api(booking: Booking) -> dict[str, str]:
    """The ledger as the booking's API shows it (bookings.serializers.deposit_reader)."""
    return deposit_ledger(booking=booking).as_api()


# --- money in -----------------------------------------------------------------------------------


class PaymentRow(TypedDict):
    """One paid row of a QPay payment/check (payments.services.verdict reads them off the check)."""

    payment_id: str
    payment_type: str
    amount: Decimal
    paid_at: datetime | None


def payments_record(*, txn: Transaction, booking: Booking, rows: Sequence[PaymentRow]) -> list[Payment]:
    """Record the payment rows of `txn` not seen before (a row id is recorded once, ever). Each
    row: {payment_id, payment_type, amount (Decimal), paid_at}. Under the booking and transaction
    locks (the notify path)."""
    fresh = []
    for row in rows:
        if row["amount"] <= 0 or Payment.objects.filter(qpay_payment_id=row["payment_id"]).exists():
            continue
        payment = Payment.objects.create(
            transaction=txn,
            booking=booking,
            qpay_payment_id=row["payment_id"],
            payment_type=row["payment_type"],
            amount=quantize(row["amount"]),
            paid_at=row["paid_at"] or timezone.now(),
        )
        LedgerEvent.objects.create(
            booking=booking,
            payment=payment,
            kind=LedgerEventKind.RECEIVED,
            amount=payment.amount,
            note=f"QPay payment {payment.qpay_payment_id} ({payment.payment_type or 'unknown type'})",
        )
        fresh.append(payment)
    if fresh and booking.refundable_until is None:
        # The free-cancel right is fixed by the start in force when the deposit is paid; no later
        # move of the start by the customer changes it (bookings/deposit_window.py).
        booking.refundable_until = deposit_window.window_deadline(booking)
        Booking.objects.filter(pk=booking.pk).update(refundable_until=booking.refundable_until)
    return fresh


# --- money out and kept -------------------------------------------------------------------------


def _refund_payment(
    payment: Payment, amount: Decimal, *, reason: str, actor: User | None, from_kept: Decimal = ZERO
) -> Refund:
    """Record a refund of `amount` from one (locked) payment row; `from_kept` of it comes out of
    what the artist kept (a dispute decided otherwise). A whole CARD payment goes to QPay (a job
    enqueued here, in the caller's transaction); anything else (P2P, or a part of a card payment:
    QPay refunds whole payments only) goes to the manual queue."""
    whole_card = payment.payment_type.upper() == CARD and amount == payment.amount
    status = RefundStatus.QPAY_PENDING if whole_card else RefundStatus.MANUAL_REQUIRED
    if from_kept > 0:
        payment.kept_amount -= from_kept
        LedgerEvent.objects.create(
            booking_id=payment.booking_id,
            payment=payment,
            kind=LedgerEventKind.UNKEPT,
            amount=from_kept,
            actor=actor,
            note=reason[:500],
        )
    payment.refunded_amount += amount
    payment.save(update_fields=["kept_amount", "refunded_amount"])
    refund = Refund.objects.create(
        payment=payment,
        booking_id=payment.booking_id,
        amount=amount,
        status=status,
        reason=reason[:300],
        requested_by=actor,
    )
    LedgerEvent.objects.create(
        booking_id=payment.booking_id,
        payment=payment,
        refund=refund,
        kind=LedgerEventKind.REFUND_RECORDED,
        amount=amount,
        to_state=status,
        actor=actor,
        note=reason[:500],
    )
    if status == RefundStatus.QPAY_PENDING:
        # One run at a time per refund (the lock): two runs of one refund must never both ask QPay.
        jobs.enqueue("payments.refund_card", lock=f"refund-{refund.pk}", refund_id=refund.pk)
    log.info("booking %s: refund %s of %s MNT recorded (%s): %s", payment.booking_id, refund.pk, amount, status, reason)
    return refund


def _keep_payment(payment: Payment, amount: Decimal, *, note: str, actor: User | None) -> None:
    payment.kept_amount += amount
    payment.save(update_fields=["kept_amount"])
    LedgerEvent.objects.create(
        booking_id=payment.booking_id,
        payment=payment,
        kind=LedgerEventKind.KEPT,
        amount=amount,
        actor=actor,
        note=note[:500],
    )


def _apply_payment(payment: Payment, amount: Decimal, *, note: str, actor: User | None) -> None:
    payment.applied_amount += amount
    payment.save(update_fields=["applied_amount"])
    LedgerEvent.objects.create(
        booking_id=payment.booking_id,
        payment=payment,
        kind=LedgerEventKind.APPLIED,
        amount=amount,
        actor=actor,
        note=note[:500],
    )


def _locked_rows(booking: Booking) -> list[Payment]:
    return list(Payment.objects.select_for_update().filter(booking_id=booking.pk).order_by("created_at", "id"))


def _refund_from_rows(
    rows: list[Payment], amount: Decimal, *, reason: str, actor: User | None, include_kept: bool
) -> list[Refund]:
    """Refund `amount` from `rows`, newest first, held money before kept money; a row that can
    give it all back in one piece is preferred (so a card payment can go back through QPay)."""
    remaining = amount
    refunds = []
    ordered = sorted(rows, key=lambda p: (p.created_at, p.pk), reverse=True)
    # One row covering the whole amount exactly, if there is one: the cleanest refund.
    exact = [p for p in ordered if p.held == remaining and p.refunded_amount == 0]
    if exact:
        ordered = [exact[0]] + [p for p in ordered if p.pk != exact[0].pk]
    for payment in ordered:
        if remaining <= 0:
            break
        take = min(payment.held, remaining)
        if take > 0:
            refunds.append(_refund_payment(payment, take, reason=reason, actor=actor))
            remaining -= take
    if include_kept:
        for payment in ordered:
            if remaining <= 0:
                break
            take = min(payment.kept_amount, remaining)
            if take > 0:
                refunds.append(_refund_payment(payment, take, reason=reason, actor=actor, from_kept=take))
                remaining -= take
    if remaining > 0:
        raise AssertionError("refund exceeds what the rows can give back")  # callers check first
    return refunds


def deposit_refund(
    *,
    booking: Booking,
    amount: Decimal,
    reason: str,
    actor: User | None,
    include_kept: bool = False,
    sync_booking: bool = True,
) -> list[Refund]:
    """Refund `amount` of the booking's deposit (staff resolving a dispute). Inside the caller's
    transaction, the booking row already locked. More than can be given back → 400, nothing
    written. Returns the refund rows (one per payment row it comes from). `sync_booking=False`:
    the caller moves the booking's payment status itself (booking_payment_status_target), in the
    same audit row as its own move."""
    amount = quantize(amount)
    rows = _locked_rows(booking)
    available = sum((p.held + (p.kept_amount if include_kept else ZERO) for p in rows), ZERO)
    if not rows or available <= 0:
        raise ApplicationError(
            _("Nothing was paid for this booking, so nothing can be refunded."),
            code="nothing_to_refund",
            fields={"refundAmount": [_("This booking has no paid transaction.")]},
        )
    if amount > available:
        raise ApplicationError(
            _("At most %(amount)s can still be refunded.") % {"amount": money(available)},
            code="refund_too_large",
            fields={"refundAmount": [_("At most %(amount)s can be refunded.") % {"amount": available}]},
        )
    refunds = _refund_from_rows(rows, amount, reason=reason, actor=actor, include_kept=include_kept)
    _sync_summaries(booking, actor=actor, note=f"refund {amount} MNT: {reason}", sync_booking=sync_booking)
    return refunds


def deposit_keep_held(*, booking: Booking, note: str, actor: User | None) -> Decimal:
    """The artist keeps everything still held (a dispute resolved as completed or cancelled with
    the rest to the artist). Inside the caller's transaction, booking locked. Returns the amount."""
    total = ZERO
    for payment in _locked_rows(booking):
        if payment.held > 0:
            total += payment.held
            _keep_payment(payment, payment.held, note=note, actor=actor)
    return total


# --- the policy ---------------------------------------------------------------------------------


def _cancel_event(booking: Booking) -> BookingEvent | None:
    return booking.events.filter(to_status=BookingStatus.CANCELLED).order_by("-created_at", "-id").first()


def cancel_keeps_deposit(*, booking: Booking, event: BookingEvent | None) -> bool:
    """The deposit policy for a cancel: the artist keeps a confirmed booking's deposit when its
    customer cancelled after the free-cancel deadline (`deposit_refundable_hours` before the start
    in force when the deposit was paid, bookings/deposit_window.py); every other cancel (earlier,
    by the artist, by staff, of an unconfirmed hold) refunds it in full."""
    if event is None or event.from_status != BookingStatus.CONFIRMED:
        return False
    if event.actor_id is None or event.actor_id != booking.customer_id:
        return False
    return event.created_at > policy_refund_deadline(booking)


def policy_refund_deadline(booking: Booking) -> datetime:
    """Until when a customer's cancel gets the deposit back (shown before paying and on the page)."""
    return deposit_window.refund_deadline(booking)


def deposit_settle_locked(*, booking: Booking, actor: User | None = None) -> dict[str, Decimal]:
    """Apply the policy to whatever the booking holds (docs/deposits.md, "Policy"). Idempotent:
    it only moves money still held. Inside the caller's transaction with the booking locked.

    - Anything above the deposit (overpaid, a second invoice paid) is refunded, live or not.
    - A live booking (pending, confirmed, disputed) keeps holding the rest.
    - completed: kept (it counts toward the price); no_show: kept.
    - expired: refunded (an underpaid hold, or a payment that came too late).
    - cancelled: cancel_keeps_deposit decides for money paid before the cancel; money that arrived
      after it is refunded.
    """
    rows = _locked_rows(booking)
    held = sum((p.held for p in rows), ZERO)
    if held <= 0:
        return {"refunded": ZERO, "kept": ZERO}
    kept_total = sum((p.kept_amount + p.applied_amount for p in rows), ZERO)
    refunded = kept = applied = ZERO
    surplus = held + kept_total - quantize(booking.deposit_amount)
    if surplus > 0:
        _refund_from_rows(
            rows, min(surplus, held), reason="paid more than the deposit", actor=actor, include_kept=False
        )
        refunded += min(surplus, held)
    if booking.status not in ACTIVE_STATUSES:
        if booking.status == BookingStatus.COMPLETED and booking.deposit_role == DepositRole.CARRY:
            pass  # a project's deposit, held for its last session (deposit_apply_held applies it then)
        elif booking.status == BookingStatus.COMPLETED and booking.deposit_role == DepositRole.APPLY:
            for payment in rows:
                if payment.held > 0:
                    applied += payment.held
                    _apply_payment(payment, payment.held, note="project deposit applied to this session", actor=actor)
        elif booking.status in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
            note = "counts toward the price" if booking.status == BookingStatus.COMPLETED else "customer did not show"
            for payment in rows:
                if payment.held > 0:
                    kept += payment.held
                    _keep_payment(payment, payment.held, note=note, actor=actor)
        elif booking.status == BookingStatus.CANCELLED:
            event = _cancel_event(booking)
            keeps = cancel_keeps_deposit(booking=booking, event=event)
            for payment in rows:
                if payment.held <= 0:
                    continue
                if keeps and event is not None and payment.created_at <= event.created_at:
                    kept += payment.held
                    _keep_payment(
                        payment,
                        payment.held,
                        note=f"customer cancelled within {booking.deposit_refundable_hours} h of the start",
                        actor=actor,
                    )
                else:
                    reason = (
                        "arrived after the booking was cancelled"
                        if event is not None and payment.created_at > event.created_at
                        else "booking cancelled: full refund under the deposit policy"
                    )
                    refunded += payment.held
                    _refund_payment(payment, payment.held, reason=reason, actor=actor)
        else:  # expired, or any status added later: nothing is kept without a rule saying so
            for payment in rows:
                if payment.held > 0:
                    refunded += payment.held
                    _refund_payment(payment, payment.held, reason=f"booking {booking.status}", actor=actor)
    if refunded or kept:
        _sync_summaries(booking, actor=actor, note=f"deposit settled: {refunded} MNT refunded, {kept} MNT kept")
    elif applied:
        _sync_summaries(booking, actor=actor, note=f"deposit applied: {applied} MNT")
    return {"refunded": refunded, "kept": kept, "applied": applied}


def deposit_apply_held(*, booking: Booking, note: str, actor: User | None) -> Decimal:
    """A project's deposit, held on its first session (deposit role `carry`), applied to the last
    session now that it is completed (docs/deposits.md, "Projects"). Inside the caller's
    transaction; locks the holding booking and its rows. Only what is still held moves, so applying
    twice applies nothing the second time. Returns the amount."""
    Booking.objects.select_for_update().filter(pk=booking.pk).first()
    total = ZERO
    for payment in _locked_rows(booking):
        if payment.held > 0:
            total += payment.held
            _apply_payment(payment, payment.held, note=note, actor=actor)
    return total


def carried_deposit_keeps(*, in_force: Booking | None, cancelled_by_customer: bool, now: datetime) -> bool:
    """The deposit policy for a project cancelled while its deposit waits for a later session (deposit
    role `carry`): the session in force (`in_force`, the next one booked) decides, as a cancel of
    that session would: the artist keeps the deposit when the customer cancels a confirmed session
    after its free-cancel deadline; any other cancel (earlier, by the artist or staff, or with no
    session booked) refunds it in full."""
    if not cancelled_by_customer or in_force is None or in_force.status != BookingStatus.CONFIRMED:
        return False
    return now > policy_refund_deadline(in_force)


def deposit_settle_carried(*, booking: Booking, keep: bool, note: str, actor: User | None) -> dict[str, Decimal]:
    """Settle a project's deposit still held on its (finished) first session when the project is
    cancelled: kept or refunded in full, by carried_deposit_keeps. Inside the caller's transaction;
    locks the holding booking first, as every money write does."""
    Booking.objects.select_for_update().filter(pk=booking.pk).first()
    if keep:
        kept = deposit_keep_held(booking=booking, note=note, actor=actor)
        return {"refunded": ZERO, "kept": kept}
    rows = _locked_rows(booking)
    held = sum((p.held for p in rows), ZERO)
    if held > 0:
        _refund_from_rows(rows, held, reason=note, actor=actor, include_kept=False)
        _sync_summaries(booking, actor=actor, note=f"deposit settled: {held} MNT refunded, {ZERO} MNT kept")
    return {"refunded": held, "kept": ZERO}


def deposit_settle(*, booking_id: int, actor: User | None = None) -> dict[str, Decimal]:
    """deposit_settle_locked in its own transaction (the settle job's last step)."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        return deposit_settle_locked(booking=booking, actor=actor)


# --- summaries ----------------------------------------------------------------------------------


def _transaction_refund_state(states: set[str]) -> str:
    for state in (RefundStatus.MANUAL_REQUIRED, RefundStatus.QPAY_PENDING):
        if state in states:
            return RefundState(state.value)
    if states == {RefundStatus.QPAY_REFUNDED}:
        return RefundState.QPAY_REFUNDED
    if states:
        return RefundState.MANUAL_DONE
    return RefundState.NONE


def _sync_summaries(booking: Booking, *, actor: User | None = None, note: str = "", sync_booking: bool = True) -> None:
    """Recompute the transactions' refund columns and the booking's payment status from the rows."""
    with_rows = Payment.objects.filter(booking_id=booking.pk).values("transaction_id")
    for txn in Transaction.objects.select_for_update().filter(pk__in=with_rows).order_by("pk"):
        sync_transaction(txn)
    if not sync_booking:
        return
    target = booking_payment_status_target(booking)
    if target is not None:
        booking_move(booking_id=booking.pk, actor=actor, to_payment_status=target, note=note[:2000])


def booking_payment_status_target(booking: Booking) -> str | None:
    """The payment status the ledger says the booking should show now, when it differs and the
    table allows the move: `refunded` once nothing is held or kept, `partially_refunded` when part
    of the deposit went back; a refunded surplus alone changes nothing."""
    ledger = deposit_ledger(booking=booking)
    out = ledger.refunded + ledger.refund_pending
    still = ledger.held + ledger.kept + ledger.applied
    if out <= 0 or still >= ledger.required:
        return None
    target = PaymentStatus.REFUNDED if still == 0 else PaymentStatus.PARTIALLY_REFUNDED
    current = Booking.objects.get(pk=booking.pk).payment_status
    if current != target and target in PAYMENT_TRANSITIONS.get(current, frozenset()):
        return target
    return None


def sync_transaction(txn: Transaction) -> None:
    """A transaction's refunded_amount, status and refund_state, from its payment and refund rows."""
    sums = Payment.objects.filter(transaction=txn).aggregate(
        paid=Coalesce(Sum("amount"), ZERO), refunded=Coalesce(Sum("refunded_amount"), ZERO)
    )
    states = set(Refund.objects.filter(payment__transaction=txn).values_list("status", flat=True).distinct())
    txn.refunded_amount = quantize(sums["refunded"])
    if txn.paid_amount < sums["paid"]:
        txn.paid_amount = quantize(sums["paid"])
    if txn.refunded_amount > 0:
        full = txn.refunded_amount >= txn.paid_amount
        transaction_set_status(txn, TransactionStatus.REFUNDED if full else TransactionStatus.PARTIALLY_REFUNDED)
    txn.refund_state = _transaction_refund_state(states)
    txn.save(update_fields=["refunded_amount", "paid_amount", "status", "refund_state", "updated_at"])


# --- refund moves -------------------------------------------------------------------------------


def refund_move(
    *, refund_id: int, to_status: str, actor: User | None = None, note: str = "", qpay_error: str = ""
) -> bool:
    """Move one refund along REFUND_TRANSITIONS, audited, with the transaction's summary. A move
    the table does not allow from the refund's current state returns False (a repeat, or a race
    lost: compare-and-set under the row lock)."""
    booking_id = Refund.objects.filter(pk=refund_id).values_list("booking_id", flat=True).first()
    if booking_id is None:
        return False
    with transaction.atomic():
        Booking.objects.select_for_update().filter(pk=booking_id).first()  # lock order: the booking first
        refund = Refund.objects.select_for_update().select_related("payment__transaction").get(pk=refund_id)
        if to_status not in REFUND_TRANSITIONS.get(refund.status, frozenset()):
            return False
        from_status = refund.status
        refund.status = to_status
        fields = ["status", "updated_at"]
        if to_status in REFUND_DONE:
            refund.done_at = timezone.now()
            refund.done_by = actor
            fields += ["done_at", "done_by"]
        if qpay_error:
            refund.qpay_error = qpay_error[:200]
            fields.append("qpay_error")
        refund.save(update_fields=fields)
        LedgerEvent.objects.create(
            booking_id=refund.booking_id,
            payment_id=refund.payment_id,
            refund=refund,
            kind=LedgerEventKind.REFUND_MOVED,
            amount=refund.amount,
            from_state=from_status,
            to_state=to_status,
            actor=actor,
            note=(note or qpay_error)[:500],
        )
        txn = Transaction.objects.select_for_update().get(pk=refund.payment.transaction_id)
        sync_transaction(txn)
        if to_status in REFUND_DONE:
            # The customer hears of a refund once it is really made (QPay accepted it, or staff did it).
            notices.refund_done(
                Booking.objects.select_related("customer", "tattooist__user").get(pk=refund.booking_id),
                amount=refund.amount,
                event=f"refund:{refund.pk}:done",
            )
    log.info("refund %s: %s -> %s", refund_id, from_status, to_status)
    return True


def refund_mark_done(*, refund_id: int, actor: User | None) -> bool:
    """Staff refunded by hand (merchant portal or bank): off the queue. False if it was not owed."""
    return refund_move(refund_id=refund_id, to_status=RefundStatus.MANUAL_DONE, actor=actor, note="refunded by hand")


def transaction_mark_manual_refund_done(*, transaction_id: int, actor: User | None) -> bool:
    """Every manual refund of one transaction marked done (the transaction-level admin action)."""
    ids = list(
        Refund.objects.filter(payment__transaction_id=transaction_id, status=RefundStatus.MANUAL_REQUIRED).values_list(
            "pk", flat=True
        )
    )
    return sum(refund_mark_done(refund_id=pk, actor=actor) for pk in ids) > 0


# --- the report's consistency check -------------------------------------------------------------


class Disagreement(TypedDict):
    """One line of the daily report's ledger check: the booking and what is wrong with it."""

    booking_id: int
    problem: str


def ledger_disagreements(*, limit: int = 200) -> list[Disagreement]:
    """Bookings whose transactions and ledger disagree (the daily report lists them): a
    transaction's paid or refunded column differs from its rows, money held by a booking that is
    over, or held above the deposit."""
    problems: list[Disagreement] = []
    txns = (
        Transaction.objects.filter(Q(paid_amount__gt=0) | Q(payments__isnull=False))
        .exclude(flag="currency_mismatch")
        .annotate(
            rows_paid=Coalesce(Sum("payments__amount"), ZERO),
            rows_refunded=Coalesce(Sum("payments__refunded_amount"), ZERO),
        )
        .values("pk", "booking_id", "paid_amount", "refunded_amount", "rows_paid", "rows_refunded")
    )
    for t in txns:
        if t["paid_amount"] != t["rows_paid"] or t["refunded_amount"] != t["rows_refunded"]:
            problems.append(
                {
                    "booking_id": t["booking_id"],
                    "problem": _(
                        "transaction %(pk)s: paid %(paid)s / refunded %(refunded)s but its payment rows say "
                        "%(rows_paid)s / %(rows_refunded)s"
                    )
                    % {
                        "pk": t["pk"],
                        "paid": money(t["paid_amount"]),
                        "refunded": money(t["refunded_amount"]),
                        "rows_paid": money(t["rows_paid"]),
                        "rows_refunded": money(t["rows_refunded"]),
                    },
                }
            )
    held = (
        Payment.objects.values("booking_id", "booking__status", "booking__deposit_amount", "booking__deposit_role")
        .annotate(
            paid=Sum("amount"), kept=Sum("kept_amount"), out=Sum("refunded_amount"), applied=Sum("applied_amount")
        )
        .order_by("booking_id")
    )
    for b in held:
        amount = b["paid"] - b["kept"] - b["out"] - b["applied"]
        # a project's deposit waits on its completed first session for the last one (deposit role carry)
        carried = b["booking__status"] == BookingStatus.COMPLETED and b["booking__deposit_role"] == DepositRole.CARRY
        if amount > 0 and b["booking__status"] not in ACTIVE_STATUSES and not carried:
            problems.append(
                {
                    "booking_id": b["booking_id"],
                    "problem": _("%(amount)s still held by a %(status)s booking")
                    % {"amount": money(amount), "status": status_word(b["booking__status"])},
                }
            )
        elif b["booking__status"] in ACTIVE_STATUSES and amount > b["booking__deposit_amount"]:
            problem = _("%(amount)s held, more than the deposit") % {"amount": money(amount)}
            problems.append({"booking_id": b["booking_id"], "problem": problem})
    refund_sums = dict(
        Refund.objects.values("payment_id").annotate(total=Sum("amount")).values_list("payment_id", "total")
    )
    for p in Payment.objects.filter(refunded_amount__gt=0).values("pk", "booking_id", "refunded_amount"):
        if refund_sums.get(p["pk"], ZERO) != p["refunded_amount"]:
            problems.append(
                {
                    "booking_id": p["booking_id"],
                    "problem": _("payment %(pk)s: refund rows disagree with its refunded amount") % {"pk": p["pk"]},
                }
            )
    return problems[:limit]
