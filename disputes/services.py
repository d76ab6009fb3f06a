"""Staff writes: disputes and their resolution, refunds.

Every money or status move here runs in one transaction with its audit row; money moves only
through the payments app's deposit ledger (payments/ledger.py), whose card refunds are jobs
enqueued in that same transaction.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from accounts.models import User
from bookings import notices
from bookings.models import Booking, BookingStatus, status_word
from bookings.transitions import booking_move
from disputes.models import Dispute, DisputeStatus
from payments import ledger
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError, NotFoundError
from tattoo.core.l10n import money
from tattoo.core.money import quantize

logger = logging.getLogger("inkbook.disputes")

# Where a dispute may end: the booking goes back to work, is done, or is called off.
RESOLUTION_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.CANCELLED)
RESOLUTION_CHOICES = [(s.value, s.label) for s in RESOLUTION_STATUSES]


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
        raise NotFoundError(_("No such booking."))
    if not (_is_party(booking, initiator) or initiator.is_admin):
        raise ApplicationError(
            _("The initiator must be the booking's customer, its artist or staff."),
            code="invalid_initiator",
            fields={"initiatorId": [_("Not a party of this booking.")]},
        )
    try:
        with transaction.atomic():
            # Lock the booking first so two openers queue here and the second sees the first.
            locked = Booking.objects.select_for_update().get(pk=booking.pk)
            if Dispute.objects.filter(booking_id=locked.pk, status=DisputeStatus.OPEN).exists():
                raise ConflictError(_("This booking already has an open dispute."), code="dispute_open")
            refusal = dispute_refusal(booking=locked)
            if refusal is not None:
                raise refusal
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
                # A session that is over freed its time when it ended, and others may have booked
                # it since: the dispute is about money and takes no time back (docs/deposits.md).
                extra_updates={"holds_slot": status_before == BookingStatus.CONFIRMED},
            )
            notices.parties_tell(locked, event=f"dispute:{dispute.pk}:opened", kind="dispute_opened", reason=reason)
    except IntegrityError as exc:
        if _constraint(exc) == "disputes_one_open_per_booking":
            raise ConflictError(_("This booking already has an open dispute."), code="dispute_open") from None
        raise
    return dispute


def _constraint(exc: IntegrityError) -> str:
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") or ""


DISPUTABLE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def dispute_refusal(*, booking: Booking) -> ConflictError | None:
    """Why the booking cannot be disputed (409 `not_disputable`), or None. A dispute needs a booking
    that went ahead (confirmed, completed, or marked a no-show): an unpaid hold is not disputable, or
    a dispute would keep its slot past its expiry and outside the hold caps."""
    if booking.status in DISPUTABLE_STATUSES:
        return None
    if booking.status == BookingStatus.PENDING:
        message = _("An unpaid hold cannot be disputed; cancel it or let it expire (any payment is refunded).")
    else:
        message = _("A %(status)s booking cannot be disputed.") % {"status": status_word(booking.status)}
    return ConflictError(message, code="not_disputable")


def dispute_open_by_party(*, booking_id: int, user: User, reason: str) -> Dispute:
    """A customer or artist opens a dispute on their own booking; anyone else is refused (403)."""
    booking = Booking.objects.select_related("tattooist").filter(pk=booking_id).first()
    if booking is None:
        raise NotFoundError(_("No such booking."))
    if not _is_party(booking, user):
        raise NotAllowedError(_("Only the booking's customer or artist can open a dispute on it."))
    return dispute_open(booking_id=booking.pk, initiator=user, reason=reason, actor=user)


def dispute_resolve(
    *,
    dispute_id: int,
    actor: User,
    resolution: str,
    booking_status: str,
    refund_amount: Decimal | None = None,
) -> Dispute:
    """Resolve an open dispute: the dispute, the booking move and the money, in one transaction
    with the booking's audit row. A resolved dispute cannot be resolved again (409).

    Money moves only through the deposit ledger (docs/deposits.md): `refund_amount` is refunded
    per payment row (CARD rows through QPay as a job, P2P rows to the manual queue), from what the
    booking holds and then from what the artist kept; on `completed` or `cancelled` the artist
    keeps whatever is still held (staff decided the refund); on `confirmed` it stays held."""
    if booking_status not in RESOLUTION_STATUSES:
        raise ApplicationError(
            _("A dispute ends with the booking confirmed, completed or cancelled."),
            code="invalid",
            fields={"bookingStatus": [_("Must be one of: %(choices)s.") % {"choices": ", ".join(RESOLUTION_STATUSES)}]},
        )
    amount = quantize(refund_amount) if refund_amount is not None else None
    if amount is not None and amount <= 0:
        raise ApplicationError(
            _("A refund must be more than zero."), code="invalid", fields={"refundAmount": [_("Must be more than 0.")]}
        )
    try:
        return _dispute_resolve(
            dispute_id=dispute_id, actor=actor, resolution=resolution, booking_status=booking_status, amount=amount
        )
    except IntegrityError as exc:
        if _constraint(exc) == "bookings_no_overlap":
            # Back to `confirmed` takes the session's time again; another booking holds it now.
            raise ConflictError(
                _("The booking's time is taken by another booking; it cannot be confirmed again."),
                code="slot_taken",
                fields={"bookingStatus": [_("Choose completed or cancelled.")]},
            ) from None
        raise


def _dispute_resolve(
    *, dispute_id: int, actor: User, resolution: str, booking_status: str, amount: Decimal | None
) -> Dispute:
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first()
        if dispute is None:
            raise NotFoundError(_("No such dispute."))
        if dispute.status != DisputeStatus.OPEN:
            raise ConflictError(_("This dispute is already resolved."), code="dispute_resolved")
        booking = Booking.objects.select_for_update().get(pk=dispute.booking_id)
        note = f"dispute {dispute.pk} resolved: {booking_status}"
        payment_status = None
        if amount is not None:
            ledger.deposit_refund(
                booking=booking,
                amount=amount,
                reason=f"dispute {dispute.pk}: {resolution}",
                actor=actor,
                include_kept=True,
                sync_booking=False,
            )
            # the payment status moves in the same audit row as the status
            payment_status = ledger.booking_payment_status_target(booking)
            note += f", refund {amount} MNT"
        booking_move(
            booking_id=booking.pk,
            actor=actor,
            to_status=booking_status,
            to_payment_status=payment_status,
            note=note,
            expect_status=BookingStatus.DISPUTED,
            # confirmed: the session goes ahead and takes its time back (the exclusion constraint
            # decides whether it still can)
            extra_updates={"holds_slot": True}
            if booking_status == BookingStatus.CONFIRMED and not booking.holds_slot
            else None,
        )
        if booking_status != BookingStatus.CONFIRMED:
            ledger.deposit_keep_held(
                booking=booking, note=f"dispute {dispute.pk} resolved: {booking_status}", actor=actor
            )
        dispute.status = DisputeStatus.RESOLVED
        dispute.resolution = resolution
        dispute.refund_amount = amount
        dispute.resolved_by = actor
        dispute.resolved_at = timezone.now()
        dispute.save(update_fields=["status", "resolution", "refund_amount", "resolved_by", "resolved_at"])
        booking.refresh_from_db(fields=["status", "payment_status"])
        notices.parties_tell(
            booking,
            event=f"dispute:{dispute.pk}:resolved",
            kind="dispute_resolved",
            status=lazy(status_word, str)(booking.status),  # read in each recipient's language
            resolution=resolution,
            refund=money(amount) if amount else "",
        )
    return dispute


def transaction_mark_manual_refund_done(*, transaction_id: int, actor: User) -> bool:
    """Kept for the admin's older action: the payments app owns the move (ledger)."""
    return ledger.transaction_mark_manual_refund_done(transaction_id=transaction_id, actor=actor)
