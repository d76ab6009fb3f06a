"""Staff writes: artist approval, disputes and their resolution, refunds.

Every money or status move here runs in one transaction with its audit row; anything that talks
to another service (the QPay worker, for card refunds) runs after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from bookings.models import Booking, BookingStatus, PaymentStatus
from bookings.transitions import booking_move
from disputes.models import Dispute, DisputeStatus
from payments.models import RefundState, Transaction, TransactionStatus
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError, NotFoundError
from tattoo.core.money import quantize

logger = logging.getLogger("inkbook.disputes")

# Where a dispute may end: the booking goes back to work, is done, or is called off.
RESOLUTION_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.CANCELLED)
RESOLUTION_CHOICES = [(s.value, s.label) for s in RESOLUTION_STATUSES]
# Transactions that hold money a refund can come from.
REFUNDABLE_STATUSES = (TransactionStatus.PAID, TransactionStatus.PARTIALLY_REFUNDED)
CARD = "CARD"


# --- artist approval ------------------------------------------------------------------------


# --- disputes -------------------------------------------------------------------------------


def _is_party(booking: Booking, user: User) -> bool:
    return user.pk in (booking.customer_id, booking.tattooist.user_id)


def dispute_open(*, booking_id: int, initiator: User, reason: str, actor: User) -> Dispute:
    """Open a dispute: the booking becomes `disputed` (audited) and remembers where it came from.

    `initiator` is who raised it (a party of the booking, or staff); `actor` is who recorded it.
    One open dispute per booking: a second one is a 409 `dispute_open`.
    """
    booking = Booking.objects.select_related("tattooist").filter(pk=booking_id).first()
    if booking is None:
        raise NotFoundError("No such booking.")
    if not (_is_party(booking, initiator) or initiator.role == Role.ADMIN):
        raise ApplicationError(
            "The initiator must be the booking's customer, its artist or staff.",
            code="invalid_initiator",
            fields={"initiatorId": ["Not a party of this booking."]},
        )
    try:
        with transaction.atomic():
            # Lock the booking first so two openers queue here and the second sees the first.
            locked = Booking.objects.select_for_update().get(pk=booking.pk)
            if Dispute.objects.filter(booking_id=locked.pk, status=DisputeStatus.OPEN).exists():
                raise ConflictError("This booking already has an open dispute.", code="dispute_open")
            status_before = locked.status
            dispute = Dispute.objects.create(
                booking=locked, initiator=initiator, reason=reason, booking_status_before=status_before
            )
            booking_move(
                booking_id=locked.pk,
                actor=actor,
                to_status=BookingStatus.DISPUTED,
                note=f"dispute {dispute.pk} opened",
                expect_status=status_before,
            )
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") or ""
        if constraint == "disputes_one_open_per_booking":
            raise ConflictError("This booking already has an open dispute.", code="dispute_open") from None
        if constraint == "bookings_no_overlap":
            # A completed booking's slot was re-taken: it cannot become active (disputed) again.
            raise ConflictError(
                "The booking's slot is taken by another active booking; it cannot be disputed.", code="slot_taken"
            ) from None
        raise
    return dispute


def dispute_open_by_party(*, booking_id: int, user: User, reason: str) -> Dispute:
    """A customer or artist opens a dispute on their own booking; anyone else is refused (403)."""
    booking = Booking.objects.select_related("tattooist").filter(pk=booking_id).first()
    if booking is None:
        raise NotFoundError("No such booking.")
    if not _is_party(booking, user):
        raise NotAllowedError("Only the booking's customer or artist can open a dispute on it.")
    return dispute_open(booking_id=booking.pk, initiator=user, reason=reason, actor=user)


CardRefunder = Callable[[Transaction, Decimal], bool]


def request_card_refund(txn: Transaction, amount: Decimal) -> bool:
    """THE one place a card refund is sent to QPay (through the worker). True = QPay accepted it.

    QPay's `DELETE /v2/payment/refund/{payment_id}` refunds the whole payment and works for card
    payments only, so it is only called for a refund of everything paid by card; anything else
    stays `manual_required` for staff to make in the merchant portal. MOVES MONEY. Runs after the
    commit, outside any transaction; a refusal or an outage leaves the refund manual.
    """
    from payments import worker_client

    try:
        worker_client.refund_payment(
            qpay_payment_id=txn.qpay_payment_id, note=f"Inkbook refund, booking {txn.booking_id}"
        )
    except ApplicationError as exc:  # includes the worker being down (503) and QPay refusing (409)
        logger.warning("card refund of transaction %s not accepted: %s", txn.pk, exc.code)
        return False
    return True


@dataclass(frozen=True)
class RefundRecord:
    transaction_id: int
    amount: Decimal
    payment_type: str
    whole_payment: bool  # this one refund gives back everything paid


def payments_refund_record(*, booking: Booking, amount: Decimal) -> tuple[Transaction, str, RefundRecord]:
    """Record a refund on the booking's paid transaction; must run inside the caller's transaction.

    Returns the transaction, the booking payment status that matches it, and what to send to QPay
    after the commit. Never refunds more than was paid and not yet refunded (checked under the
    transaction's row lock, so concurrent refunds cannot both pass).
    """
    txn = (
        Transaction.objects.select_for_update()
        .filter(booking_id=booking.pk, status__in=REFUNDABLE_STATUSES)
        .order_by("-paid_at", "-id")
        .first()
    )
    if txn is None:
        raise ApplicationError(
            "Nothing was paid for this booking, so nothing can be refunded.",
            code="nothing_to_refund",
            fields={"refundAmount": ["This booking has no paid transaction."]},
        )
    refundable = txn.paid_amount - txn.refunded_amount
    if amount > refundable:
        raise ApplicationError(
            f"At most {refundable} MNT can still be refunded.",
            code="refund_too_large",
            fields={"refundAmount": [f"At most {refundable} can be refunded."]},
        )
    txn.refunded_amount = quantize(txn.refunded_amount + amount)
    full = txn.refunded_amount == txn.paid_amount
    txn.status = TransactionStatus.REFUNDED if full else TransactionStatus.PARTIALLY_REFUNDED
    # Recorded as owed by hand until (and unless) QPay confirms a card refund after the commit.
    txn.refund_state = RefundState.MANUAL_REQUIRED
    txn.save(update_fields=["refunded_amount", "status", "refund_state", "updated_at"])
    payment_status = PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED
    whole = full and amount == txn.paid_amount
    return txn, payment_status, RefundRecord(txn.pk, amount, txn.payment_type, whole)


def refund_execute(record: RefundRecord, *, card_refunder: CardRefunder | None = None) -> str:
    """After the commit: ask QPay to refund a card payment; P2P refunds stay manual (docs/qpay.md §4).

    QPay's refund call takes no amount (it returns the whole payment), so partial refunds of card
    payments stay manual as well. Returns the transaction's refund state afterwards.
    """
    if record.payment_type.upper() != CARD or not record.whole_payment:
        return RefundState.MANUAL_REQUIRED
    refunder = card_refunder or request_card_refund
    txn = Transaction.objects.get(pk=record.transaction_id)
    try:
        accepted = refunder(txn, record.amount)
    except Exception:  # the refund is recorded; staff finish it by hand if QPay did not take it
        logger.exception("card refund of transaction %s failed; left for a manual refund", txn.pk)
        accepted = False
    if not accepted:
        return RefundState.MANUAL_REQUIRED
    # Compare-and-set: only a refund still owed becomes QPay-refunded.
    Transaction.objects.filter(pk=txn.pk, refund_state=RefundState.MANUAL_REQUIRED).update(
        refund_state=RefundState.QPAY_REFUNDED, updated_at=timezone.now()
    )
    return RefundState.QPAY_REFUNDED


def dispute_resolve(
    *,
    dispute_id: int,
    actor: User,
    resolution: str,
    booking_status: str,
    refund_amount: Decimal | None = None,
    card_refunder: CardRefunder | None = None,
) -> Dispute:
    """Resolve an open dispute: the dispute, the booking move and the refund, in one transaction
    with the booking's audit row. A resolved dispute cannot be resolved again (409)."""
    if booking_status not in RESOLUTION_STATUSES:
        raise ApplicationError(
            "A dispute ends with the booking confirmed, completed or cancelled.",
            code="invalid",
            fields={"bookingStatus": [f"Must be one of: {', '.join(RESOLUTION_STATUSES)}."]},
        )
    amount = quantize(refund_amount) if refund_amount is not None else None
    if amount is not None and amount <= 0:
        raise ApplicationError(
            "A refund must be more than zero.", code="invalid", fields={"refundAmount": ["Must be more than 0."]}
        )
    record: RefundRecord | None = None
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first()
        if dispute is None:
            raise NotFoundError("No such dispute.")
        if dispute.status != DisputeStatus.OPEN:
            raise ConflictError("This dispute is already resolved.", code="dispute_resolved")
        booking = Booking.objects.select_for_update().get(pk=dispute.booking_id)
        payment_status = None
        note = f"dispute {dispute.pk} resolved: {booking_status}"
        if amount is not None:
            _txn, payment_status, record = payments_refund_record(booking=booking, amount=amount)
            note += f", refund {amount} MNT"
        booking_move(
            booking_id=booking.pk,
            actor=actor,
            to_status=booking_status,
            to_payment_status=payment_status,
            note=note,
            expect_status=BookingStatus.DISPUTED,
        )
        dispute.status = DisputeStatus.RESOLVED
        dispute.resolution = resolution
        dispute.refund_amount = amount
        dispute.resolved_by = actor
        dispute.resolved_at = timezone.now()
        dispute.save(update_fields=["status", "resolution", "refund_amount", "resolved_by", "resolved_at"])
        if record is not None:
            # After the commit, outside any transaction: the worker call may wait on QPay.
            transaction.on_commit(lambda: refund_execute(record, card_refunder=card_refunder))
    return dispute


def transaction_mark_manual_refund_done(*, transaction_id: int, actor: User) -> bool:
    """Staff refunded by hand (merchant portal or bank): take it off the queue. False if it was not owed."""
    done = (
        Transaction.objects.filter(pk=transaction_id, refund_state=RefundState.MANUAL_REQUIRED).update(
            refund_state=RefundState.MANUAL_DONE, updated_at=timezone.now()
        )
        == 1
    )
    if done:
        logger.info("manual refund of transaction %s marked done by user %s", transaction_id, actor.pk)
    return done
