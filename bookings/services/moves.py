"""A person's moves of a booking: a status change by hand (the party's buttons, the refusals the
pages ask) and a reschedule to another start.

Every status move goes through `bookings.transitions.booking_move`; this module decides *who* may
ask for which move, and turns database conflicts into clean 409s (bookings/services/conflicts.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from bookings import consent, deposit_window, notices, rules
from bookings.models import Booking, BookingEvent, BookingStatus, status_word
from bookings.selectors import booking_get_for
from bookings.services.conflicts import booking_write_retry
from bookings.services.create import CANCELLED_HOLDS, CANCELLED_HOLDS_WINDOW, _bookable_start
from bookings.transitions import booking_move, hand_move_refusal, pre_session_check_enqueue
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError
from tattoo.core.rates import rate_refusal, tally_add

logger = logging.getLogger("inkbook.bookings")

# --- status moves -------------------------------------------------------------------------------


# The moves a booking's artist may make by hand (a customer may only cancel).
ARTIST_MOVES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED)


def status_move_refusal(*, booking: Booking, actor: User, to_status: str) -> ApplicationError | None:
    """Why `actor` (a party or staff) may not move `booking` to `to_status` by hand, or None.

    The booking page asks it for its buttons; booking_change_status raises it. The table is
    checked again under the row lock (booking_move), so a move that raced this answer is a 409.
    """
    if actor.role == Role.CUSTOMER and to_status != BookingStatus.CANCELLED:
        return NotAllowedError(_("Customers can only cancel their bookings."), code="customer_may_only_cancel")
    return hand_move_refusal(booking.status, to_status) or session_started_refusal(
        booking=booking, to_status=to_status, now=timezone.now()
    )


def allowed_moves(*, booking: Booking, actor: User) -> list[str]:
    """The status buttons `actor` gets on `booking` (their own booking only)."""
    if actor.is_customer and booking.customer_id == actor.pk:
        wanted: tuple[str, ...] = (BookingStatus.CANCELLED,)
    elif actor.is_tattooist and booking.tattooist.user_id == actor.pk:
        wanted = ARTIST_MOVES
    else:
        return []
    return [s for s in wanted if status_move_refusal(booking=booking, actor=actor, to_status=s) is None]


def booking_change_status(*, booking_id: int, actor: User, to_status: str, note: str = "") -> Booking:
    """A person's status change (PATCH /api/bookings/{id}).

    Unknown id → 404; not a party and not staff → 403; a customer may only cancel (403 otherwise);
    anything the table or SYSTEM_ONLY forbids → 409, and so is marking a session completed or a
    no-show before it started (409 `too_early`), and completing it without a signed consent (409
    `consent_missing`). Both are checked under the row lock.
    """
    booking = booking_get_for(user=actor, booking_id=booking_id)
    refusal = status_move_refusal(booking=booking, actor=actor, to_status=to_status)
    if isinstance(refusal, NotAllowedError):
        raise refusal  # a 409 is decided under the row lock (booking_move), with the current status
    if to_status == BookingStatus.CANCELLED and not actor.is_admin:
        # Each cancel mails the other party and cancels invoices at QPay (docs/api.md, "Rates").
        limited = rate_refusal(scope="booking_cancel", user_id=actor.pk, rate=settings.BOOKING_CANCEL_RATE)
        if limited is not None:
            raise limited

    def move() -> Booking:
        with transaction.atomic():
            if to_status in AFTER_START_MOVES:
                # Judged under the row lock: a reschedule cannot slip in between.
                locked = Booking.objects.select_for_update().get(pk=booking_id)
                refusal = hand_move_refusal(locked.status, to_status) or session_started_refusal(
                    booking=locked, to_status=to_status, now=timezone.now()
                )
                if refusal is not None:
                    raise refusal
            return booking_move(booking_id=booking_id, actor=actor, to_status=to_status, note=note, user_move=True)

    moved = booking_write_retry(move)
    if (
        to_status == BookingStatus.CANCELLED
        and booking.status == BookingStatus.PENDING
        and actor.pk == booking.customer_id
    ):
        tally_add(scope=CANCELLED_HOLDS, user_id=actor.pk, window_seconds=CANCELLED_HOLDS_WINDOW)
    return moved


# The moves that say how the session went: only once it has started. Before, `completed` would let
# an artist keep a deposit for a session that never took place and free its time (docs/deposits.md).
AFTER_START_MOVES = (BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def session_started_refusal(*, booking: Booking, to_status: str, now: datetime) -> ConflictError | None:
    """Why `booking` cannot be marked completed or a no-show now (409), or None (also for any other
    move). Only a confirmed booking, and only once its session has started (the deposit is then
    kept, docs/deposits.md); `completed` also needs the customer's signed consent (409
    `consent_missing`)."""
    if to_status not in AFTER_START_MOVES:
        return None
    if booking.status != BookingStatus.CONFIRMED:
        if to_status == BookingStatus.NO_SHOW:
            message = _("A %(status)s booking cannot be marked a no-show.")
        else:
            message = _("A %(status)s booking cannot be marked completed.")
        return ConflictError(message % {"status": status_word(booking.status)}, code="illegal_transition")
    if now < booking.slot:
        if to_status == BookingStatus.NO_SHOW:
            return ConflictError(_("A booking can be marked a no-show only after it has started."), code="too_early")
        return ConflictError(_("A booking can be marked completed only after it has started."), code="too_early")
    if to_status == BookingStatus.COMPLETED and not consent.consent_exists(booking):
        # The studio's record of the session: no signed consent, no completed session (bookings/consent.py).
        return consent.consent_missing_error()
    return None


# --- reschedule ---------------------------------------------------------------------------------

RESCHEDULABLE = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


def booking_reschedule(*, booking_id: int, actor: User, slot: datetime, now: datetime | None = None) -> Booking:
    """Move a pending or confirmed booking to another start, keeping its length, deposit, payment
    and (for a hold) its expiry; one audit row says from when to when.

    The parties and staff may move it (anyone else: 403; unknown id: 404). A customer gets
    BOOKING_FREE_RESCHEDULES moves, each at least BOOKING_RESCHEDULE_NOTICE_HOURS before the
    current start (the studio rule the deposit moves under; 409 otherwise); the artist and staff
    are not limited. The new start must be bookable like a new booking's (notice, horizon, the
    artist's hours, no time off); the artist's row lock and the exclusion constraint make a
    clash with any other booking a clean 409, never an overlap.
    """
    now = now or timezone.now()
    # Who is asking comes before anything about the body: a stranger learns nothing (404/403)
    # about another person's booking from how its new start would be judged.
    booking = booking_get_for(user=actor, booking_id=booking_id)
    slot = _bookable_start(slot, now=now)
    return booking_write_retry(
        lambda: _booking_move_slot(
            booking_id=booking_id,
            customer_id=booking.customer_id,
            artist_id=booking.tattooist_id,
            actor=actor,
            slot=slot,
            now=now,
        )
    )


def reschedule_refusal(*, booking: Booking, actor: User, now: datetime) -> ConflictError | None:
    """Why `actor` (a party or staff) may not move `booking` now, or None."""
    if booking.status not in RESCHEDULABLE:
        return ConflictError(
            _("A %(status)s booking cannot be moved.") % {"status": status_word(booking.status)},
            code="not_reschedulable",
        )
    if actor.pk == booking.customer_id:
        if booking.customer_reschedules >= settings.BOOKING_FREE_RESCHEDULES:
            return ConflictError(
                _("This booking was already moved as often as allowed; ask the artist."),
                code="reschedule_limit",
            )
        if booking.slot - now < timedelta(hours=settings.BOOKING_RESCHEDULE_NOTICE_HOURS):
            return ConflictError(
                _("Bookings can be moved up to %(hours)s hours before they start; ask the artist.")
                % {"hours": settings.BOOKING_RESCHEDULE_NOTICE_HOURS},
                code="reschedule_too_late",
            )
    return None


def _booking_move_slot(
    *, booking_id: int, customer_id: int, artist_id: int, actor: User, slot: datetime, now: datetime
) -> Booking:
    with transaction.atomic():
        # The same lock order as a create (customer, then artist), then the booking itself (whose
        # parties never change).
        artist = rules.lock_parties(customer_id=customer_id, artist_id=artist_id)
        booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking_id)
        if artist is None:  # the booking's own artist: a foreign key keeps the row while the booking lives
            raise RuntimeError(f"booking {booking_id}: its artist {artist_id} is gone")
        refusal: ApplicationError | None = reschedule_refusal(booking=booking, actor=actor, now=now)
        if refusal is not None:
            raise refusal
        by_customer = actor.pk == booking.customer_id
        if slot == booking.slot:
            raise ApplicationError(
                _("The booking already starts then."), code="same_slot", fields={"slot": [_("Pick another time.")]}
            )
        ends_at = slot + (booking.ends_at - booking.slot)
        still_a_hold = booking.status == BookingStatus.PENDING and booking.payment_status in rules.UNPAID_STATES
        refusal = rules.slot_refusal(
            artist=artist,
            slot=slot,
            ends_at=ends_at,
            now=now,
            booking=booking,
            new_hold_for=booking.customer_id if still_a_hold else None,
        )
        if refusal is not None:
            raise refusal
        before = booking.slot
        # The free-cancel deadline fixed at payment: the customer's move cannot create a right, the
        # artist's cannot take one away (bookings/deposit_window.py).
        booking.refundable_until = deposit_window.deadline_after_move(
            booking=booking, slot=slot, by_customer=by_customer, now=now
        )
        booking.slot, booking.ends_at = slot, ends_at
        if by_customer:
            booking.customer_reschedules += 1
        booking.save(update_fields=["slot", "ends_at", "customer_reschedules", "refundable_until", "updated_at"])
        BookingEvent.objects.create(
            booking=booking,
            actor=actor,
            from_status=booking.status,
            to_status=booking.status,
            from_payment_status=booking.payment_status,
            to_payment_status=booking.payment_status,
            note=f"rescheduled from {before.isoformat()} to {slot.isoformat()}",
        )
        pre_session_check_enqueue(booking)  # the new start's check; the old one's job does nothing
        notices.booking_rescheduled(booking, before=before)  # and its reminder, re-planned
    logger.info("booking %s rescheduled by user_id=%s", booking.pk, actor.pk)
    return booking
