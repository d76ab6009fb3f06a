"""Writes for artists' booking settings, availability, time off and bookings.

Every status move goes through `bookings.transitions.booking_move`; this module decides *who* may
ask for which move and turns database conflicts into clean 409s.
"""

from __future__ import annotations

import logging
import random
import secrets
import time as time_module
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import DEPOSIT_REFUNDABLE_HOURS_MAX, BookingMode, Role, Tattooist, User
from bookings import consent, deposit_window, notices, rules
from bookings.models import (
    Availability,
    Booking,
    BookingEvent,
    BookingStatus,
    DepositRole,
    PaymentStatus,
    TimeOff,
    status_word,
)
from bookings.selectors import booking_bounds, booking_get_for
from bookings.transitions import booking_move, hand_move_refusal, pre_session_check_enqueue
from tattoo.core import jobs
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError
from tattoo.core.hooks import Hook
from tattoo.core.l10n import money
from tattoo.core.money import is_whole, quantize
from tattoo.core.rates import rate_refusal, tally_add, tally_get

logger = logging.getLogger("inkbook.bookings")

# The job that ends a hold at its hold_expires_at (bookings/tasks.py).
EXPIRE_HOLD_TASK = "bookings.expire_hold"

# SQLSTATEs: exclusion and unique violations are "someone else got there first" (409); a CHECK
# violation is bad input that slipped past validation (400); serialization failures and deadlocks
# are worth a retry (PostgreSQL docs §13.5).
_SLOT_TAKEN_STATES = {"23P01", "23505"}
_CHECK_STATES = {"23514"}
_RETRY_STATES = {"40001", "40P01"}
_RETRY_ATTEMPTS = 3


def _sqlstate(exc: Exception) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None) or getattr(exc, "sqlstate", None)


def integrity_error_to_api(exc: IntegrityError) -> ApplicationError | None:
    """The API error for a constraint failure on bookings, or None when it is not one we expect."""
    state = _sqlstate(exc)
    if state in _SLOT_TAKEN_STATES:
        return rules.slot_taken_error()
    if state in _CHECK_STATES:
        return ApplicationError(_("The booking breaks a rule of the schedule."), code="invalid_booking")
    return None


def with_db_retry(fn, *, attempts: int = _RETRY_ATTEMPTS):
    """Run fn(); retry serialization failures and deadlocks with jitter, then answer 409.

    Constraint violations become the API error that fits them (see integrity_error_to_api).
    """
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except IntegrityError as exc:
            mapped = integrity_error_to_api(exc)
            if mapped is None:
                raise
            raise mapped from exc
        except OperationalError as exc:
            if _sqlstate(exc) not in _RETRY_STATES:
                raise
            if attempt == attempts:
                raise ConflictError(
                    _("Too many people are booking this artist right now; try again."), code="try_again"
                ) from exc
            time_module.sleep(random.uniform(0.005, 0.03) * attempt)  # noqa: S311 - jitter, not crypto
    raise AssertionError("unreachable")


# --- artist settings --------------------------------------------------------------------------


SESSION_MINUTES = (15, 12 * 60)  # the shortest and the longest session an artist may set


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone_problem(name: str) -> str | None:
    return None if name in known_timezones() else f"{name!r} is not a known IANA time zone."


def min_deposit_problem(amount: Decimal) -> str | None:
    if amount < 0:
        return _("Ensure this value is greater than or equal to 0.")
    return None if is_whole(amount) else _("Use a whole MNT amount.")


def refundable_hours_problem(hours: int) -> str | None:
    if 0 <= hours <= DEPOSIT_REFUNDABLE_HOURS_MAX:
        return None
    return _("Use 0 to %(hours)s hours.") % {"hours": DEPOSIT_REFUNDABLE_HOURS_MAX}


def session_minutes_problem(minutes: int) -> str | None:
    low, high = SESSION_MINUTES
    return None if low <= minutes <= high else _("Use %(low)s to %(high)s minutes.") % {"low": low, "high": high}


def tattooist_update_settings(
    *,
    tattooist: Tattooist,
    bio: str | None = None,
    timezone_name: str | None = None,
    session_minutes: int | None = None,
    min_deposit: Decimal | None = None,
    deposit_refundable_hours: int | None = None,
) -> Tattooist:
    """Change the artist's bio and booking settings. Existing bookings keep their own end time
    and the deposit policy they were made under.

    Refuses (400, per field) a zone that is not IANA's, a session outside SESSION_MINUTES, a
    negative or fractional minimum deposit and a refund window outside 0..DEPOSIT_REFUNDABLE_HOURS_MAX,
    whoever calls it."""
    problems = {
        field: [problem]
        for field, problem in (
            ("timezone", timezone_problem(timezone_name) if timezone_name is not None else None),
            ("sessionMinutes", session_minutes_problem(session_minutes) if session_minutes is not None else None),
            ("minDeposit", min_deposit_problem(min_deposit) if min_deposit is not None else None),
            (
                "depositRefundableHours",
                refundable_hours_problem(deposit_refundable_hours) if deposit_refundable_hours is not None else None,
            ),
        )
        if problem is not None
    }
    if problems:
        raise ApplicationError(_("These settings cannot be saved."), code="invalid", fields=problems)
    fields = []
    if deposit_refundable_hours is not None:
        tattooist.deposit_refundable_hours = deposit_refundable_hours
        fields.append("deposit_refundable_hours")
    if bio is not None:
        tattooist.bio = bio
        fields.append("bio")
    if timezone_name is not None:
        tattooist.timezone = timezone_name
        fields.append("timezone")
    if session_minutes is not None:
        tattooist.session_minutes = session_minutes
        fields.append("session_minutes")
    if min_deposit is not None:
        tattooist.min_deposit = quantize(min_deposit)
        fields.append("min_deposit")
    if fields:
        tattooist.save(update_fields=[*fields, "updated_at"])
    return tattooist


# --- availability and time off -----------------------------------------------------------------


def availability_create(*, tattooist: Tattooist, day: int, start_time: time, end_time: time) -> Availability:
    if end_time <= start_time:
        raise ApplicationError(
            _("A window must end after it starts."), code="invalid", fields={"endTime": [_("Must be after startTime.")]}
        )
    with transaction.atomic():
        # Serialises one artist's window edits so two overlapping windows cannot both pass the check.
        list(Tattooist.objects.select_for_update(no_key=True).filter(pk=tattooist.pk).values_list("pk"))
        clash = Availability.objects.filter(
            tattooist=tattooist, day=day, start_time__lt=end_time, end_time__gt=start_time
        ).first()
        if clash is not None:
            raise ApplicationError(
                _("This window overlaps your window %(start_time)s-%(end_time)s on that day.")
                % {"start_time": format(clash.start_time, "%H:%M"), "end_time": format(clash.end_time, "%H:%M")},
                code="window_overlap",
                fields={"startTime": [_("Overlaps another window on this day.")]},
            )
        return Availability.objects.create(tattooist=tattooist, day=day, start_time=start_time, end_time=end_time)


def _artists_own(model, *, pk: int, user: User, refusal: str):
    """One of `user`'s own schedule rows (a window, a time off): unknown id → 404, another artist's → 403."""
    row = model.objects.select_related("tattooist").filter(pk=pk).first()
    if row is None:
        raise Http404
    if row.tattooist.user_id != user.pk:
        raise NotAllowedError(refusal, code="not_owner")
    return row


def availability_delete(*, user: User, availability_id: int) -> None:
    _artists_own(
        Availability, pk=availability_id, user=user, refusal=_("This window belongs to another artist.")
    ).delete()


def time_off_create(*, tattooist: Tattooist, starts_at: datetime, ends_at: datetime, reason: str = "") -> TimeOff:
    if ends_at <= starts_at:
        raise ApplicationError(
            _("Time off must end after it starts."), code="invalid", fields={"endsAt": [_("Must be after startsAt.")]}
        )
    return TimeOff.objects.create(tattooist=tattooist, starts_at=starts_at, ends_at=ends_at, reason=reason)


def time_off_delete(*, user: User, time_off_id: int) -> None:
    _artists_own(TimeOff, pk=time_off_id, user=user, refusal=_("This time off belongs to another artist.")).delete()


# --- bookings ----------------------------------------------------------------------------------


def _bookable_start(slot: datetime, *, now: datetime) -> datetime:
    """`slot` in UTC, once it has an offset and lies between the minimum notice and the horizon."""
    if slot.tzinfo is None or slot.utcoffset() is None:
        raise ApplicationError(
            _("The slot needs a UTC offset."),
            code="invalid",
            fields={"slot": [_("Include a UTC offset, e.g. Z or +08:00.")]},
        )
    slot = slot.astimezone(UTC)
    notice, horizon = booking_bounds()
    if slot < now + notice:
        raise ApplicationError(
            _("Bookings must start at least %(minutes)s minutes from now.")
            % {"minutes": settings.BOOKING_MIN_NOTICE_MINUTES},
            code="too_soon",
            fields={"slot": [_("Too soon or in the past.")]},
        )
    if slot > now + horizon:
        raise ApplicationError(
            _("Bookings can be made at most %(days)s days ahead.") % {"days": settings.BOOKING_HORIZON_DAYS},
            code="beyond_horizon",
            fields={"slot": [_("Too far ahead.")]},
        )
    return slot


def booking_create_refusal(*, customer: User) -> NotAllowedError | None:
    """Why `customer` may not book at all, or None (the artist page asks it for its booking form)."""
    if not (customer.is_authenticated and customer.role == Role.CUSTOMER):
        return NotAllowedError(_("Only customers can book."), code="permission_denied")
    if not customer.email_verified:
        # Holds cost an artist's time: only an owner of a real address may place them (docs/api.md).
        return NotAllowedError(
            _("Confirm your e-mail address first: open the link we mailed you, or ask for a new one."),
            code="email_unverified",
        )
    return None


# Unpaid holds a customer cancelled: counted in the shared cache in a 24-hour window that the first
# cancel opens (tattoo/core/rates.py), so the create path spends no query on it.
CANCELLED_HOLDS = "cancelled_holds"
CANCELLED_HOLDS_WINDOW = 24 * 3600


def cancelled_holds_refusal(*, customer: User) -> ConflictError | None:
    """A customer who cancelled BOOKING_MAX_CANCELLED_HOLDS_PER_DAY unpaid holds within a day places
    no new one until that day is over (409): each hold mails the artist and takes their time
    (docs/api.md, "Rates")."""
    cancelled = tally_get(scope=CANCELLED_HOLDS, user_id=customer.pk)
    if cancelled < settings.BOOKING_MAX_CANCELLED_HOLDS_PER_DAY:
        return None
    return ConflictError(
        _("You cancelled %(count)s unpaid bookings in the last 24 hours; you can book again within a day.")
        % {"count": cancelled},
        code="too_many_cancelled_holds",
    )


def booking_create(
    *,
    customer: User,
    tattooist_id: int,
    slot: datetime,
    deposit_amount: Decimal,
    notes: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book [slot, slot + session) with an artist as a pending, unpaid hold.

    The artist's row lock serialises competing creates so the loser sees the winner's row and gets
    a clean 409; the exclusion constraint `bookings_no_overlap` stays the guarantee (any writer
    that skips the lock still cannot overlap), and its violation is also a 409.
    """
    refusal = booking_create_refusal(customer=customer)
    if refusal is not None:
        raise refusal
    now = now or timezone.now()
    refusal = rate_refusal(
        scope="booking_create", user_id=customer.pk, rate=settings.BOOKING_CREATE_RATE
    ) or cancelled_holds_refusal(customer=customer)
    if refusal is not None:
        raise refusal
    slot = _bookable_start(slot, now=now)
    amount = quantize(deposit_amount)
    if not is_whole(amount):
        raise ApplicationError(
            _("The deposit is a whole number of tugriks."),
            code="deposit_not_whole",
            fields={"depositAmount": [_("Use a whole MNT amount.")]},
        )
    return with_db_retry(
        lambda: _booking_insert(
            customer=customer, tattooist_id=tattooist_id, slot=slot, amount=amount, notes=notes, now=now
        )
    )


def request_only_refusal(*, artist: Tattooist) -> ConflictError | None:
    """Why nobody may book `artist` directly (409), or None: an artist who takes custom requests only
    (`bookingMode` request) is booked through an accepted quote (consultations/)."""
    if artist.booking_mode != BookingMode.REQUEST:
        return None
    return ConflictError(
        _("This artist takes custom requests only: send a consultation request instead."),
        code="request_only",
        fields={"tattooistId": [_("This artist does not take direct bookings.")]},
    )


def _booking_insert(
    *, customer: User, tattooist_id: int, slot: datetime, amount: Decimal, notes: str, now: datetime
) -> Booking:
    with transaction.atomic():
        artist = rules.lock_parties(customer_id=customer.pk, artist_id=tattooist_id)
        if artist is None:
            raise ApplicationError(
                _("There is no such artist."), code="unknown_artist", fields={"tattooistId": [_("Unknown artist.")]}
            )
        refusal = request_only_refusal(artist=artist)
        if refusal is not None:
            raise refusal
        if amount < artist.min_deposit:
            minimum = money(artist.min_deposit)
            raise ApplicationError(
                _("This artist asks for a deposit of at least %(amount)s.") % {"amount": minimum},
                code="deposit_too_low",
                fields={"depositAmount": [_("At least %(amount)s.") % {"amount": minimum}]},
            )
        return booking_write_locked(
            customer=customer,
            artist=artist,
            slot=slot,
            minutes=artist.session_minutes,
            deposit_amount=amount,
            notes=notes,
            now=now,
        )


def booking_write_locked(
    *,
    customer: User,
    artist: Tattooist,
    slot: datetime,
    minutes: int,
    deposit_amount: Decimal,
    notes: str,
    now: datetime,
    deposit_role: str = DepositRole.OWN,
    confirmed: bool = False,
    actor: User | None = None,
    notice: Callable[[Booking], None] | None = None,
) -> Booking:
    """THE booking writer: every booking is written here, under `rules.lock_parties` (taken by the
    caller, in its transaction). It asks the one slot rule for [slot, slot + minutes) and writes the
    booking, its audit row, its hold's expiry job and its mails, all in the caller's transaction.

    A direct booking (`booking_create`: the artist's session length, the chosen deposit) and an
    accepted quote (consultations: the quote's length and deposit) are unpaid holds; a project's
    later session (`confirmed`, no deposit of its own) is confirmed at once and holds nothing for
    payment. `actor` is who booked (the customer unless said); `notice(booking)` writes the mails
    (default: the hold's, bookings/notices.py).
    """
    ends_at = slot + timedelta(minutes=minutes)
    refusal = rules.slot_refusal(
        artist=artist, slot=slot, ends_at=ends_at, now=now, new_hold_for=None if confirmed else customer.pk
    )
    if refusal is not None:
        raise refusal
    status = BookingStatus.CONFIRMED if confirmed else BookingStatus.PENDING
    with jobs.batched():  # the hold's expiry job and the mails' send jobs: one statement
        booking = Booking.objects.create(
            customer=customer,
            tattooist=artist,
            slot=slot,
            ends_at=ends_at,
            status=status,
            payment_status=PaymentStatus.UNPAID,
            deposit_amount=deposit_amount,
            notes=notes,
            hold_expires_at=None if confirmed else now + timedelta(minutes=settings.BOOKING_HOLD_MINUTES),
            # the artist's deposit policy, kept on the booking (docs/deposits.md)
            deposit_refundable_hours=artist.deposit_refundable_hours,
            deposit_role=deposit_role,
        )
        BookingEvent.objects.create(
            booking=booking,
            actor=actor or customer,
            from_status="",
            to_status=status,
            from_payment_status="",
            to_payment_status=PaymentStatus.UNPAID,
            note="booked",
        )
        if not confirmed:
            # No hold without its expiry job, no job for a hold that never was (the same transaction).
            jobs.enqueue(EXPIRE_HOLD_TASK, at=booking.hold_expires_at, booking_id=booking.pk)
        (notice or notices.booking_created)(booking)
    return booking


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

    moved = with_db_retry(move)
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
    return with_db_retry(
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
        refusal = reschedule_refusal(booking=booking, actor=actor, now=now)
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


# --- hold expiry -------------------------------------------------------------------------------


# Last word before a hold with an open invoice (payment_status `pending`) is expired.
#
# The payments app provides it (tattoo.core.hooks, docs/hooks.md): a callable taking `booking=` that
# asks the worker for one last payment check and, if the deposit did arrive, credits it (which
# confirms the booking). It returns True to let the expiry go ahead, False to keep the hold for now
# (it is looked at again on the next run). It is called outside any transaction, because it may wait
# on HTTP. The expiry that follows is a compare-and-set, so a booking it confirmed is left alone.
before_hold_expiry: Hook[Callable[..., bool]] = Hook("bookings.before_hold_expiry", single=True)


def before_expire_hook(*, booking: Booking) -> bool:
    last_word = before_hold_expiry.one()
    return True if last_word is None else bool(last_word(booking=booking))


@dataclass(frozen=True)
class ExpireReport:
    expired: int
    kept: int


# What booking_expire_hold did: expired it; kept it (the payment check could not be made: try
# again later); nothing because it is no longer an unpaid hold (paid, cancelled, already expired);
# or nothing yet, because by this server's clock the hold has not run out (EARLY: a job started by
# the database's clock a moment before this one's).
EXPIRED, KEPT, NOT_DUE, EARLY = "expired", "kept", "not_due", "early"


def booking_expire_hold(*, booking_id: int, now: datetime | None = None) -> str:
    """Expire one pending, unpaid booking whose hold ran out, audited; the hold-expiry job's body.

    A hold with an open invoice first gets the payments app's last word (before_expire_hook: one
    payment check, then the invoice is cancelled at QPay). Safe to run twice or next to the sweep:
    the row is claimed with SKIP LOCKED and re-checked in the same statement, so a booking another
    runner (or a payment) holds or has already moved is left alone, never moved twice.
    """
    now = now or timezone.now()
    booking = rules.unpaid_holds(pk=booking_id).first()
    if booking is None or booking.hold_expires_at is None:
        return NOT_DUE
    if booking.hold_expires_at > now:
        return EARLY
    if booking.payment_status == PaymentStatus.PENDING:
        try:
            go = before_expire_hook(booking=booking)
        except Exception:
            logger.exception("before_expire_hook failed for booking %s; keeping the hold for now", booking.pk)
            go = False
        if not go:
            booking.refresh_from_db(fields=["status", "payment_status"])
            paid_or_moved = booking.status != BookingStatus.PENDING or booking.payment_status not in rules.UNPAID_STATES
            return NOT_DUE if paid_or_moved else KEPT
    with transaction.atomic():
        claimed = (
            Booking.objects.select_for_update(skip_locked=True)
            .filter(
                pk=booking.pk,
                status=BookingStatus.PENDING,
                # the payment state the decision above was made on (or unpaid, when the hook
                # cancelled the open invoice); an invoice opened since waits for the next run
                payment_status__in={booking.payment_status, PaymentStatus.UNPAID},
                hold_expires_at__lte=now,
            )
            .values_list("pk", flat=True)
            .first()
        )
        if claimed is None:
            return NOT_DUE
        booking_move(
            booking_id=booking.pk,
            actor=None,
            to_status=BookingStatus.EXPIRED,
            expect_status=BookingStatus.PENDING,
            note="hold expired",
        )
    return EXPIRED


def booking_expire_holds(
    *, now: datetime | None = None, limit: int = 500, overdue_by: timedelta = timedelta(0)
) -> ExpireReport:
    """Expire every unpaid hold that ran out more than `overdue_by` ago (booking_expire_hold each).

    `manage.py expire_holds` and the minute sweep (the safety net behind each hold's own job, which
    passes a grace period so it does not race the jobs that are on time). Safe to run from several
    processes at once.
    """
    now = now or timezone.now()
    due = rules.unpaid_holds(hold_expires_at__lte=now - overdue_by).order_by("hold_expires_at", "id")
    expired = kept = 0
    for booking_id in list(due.values_list("pk", flat=True)[:limit]):
        outcome = booking_expire_hold(booking_id=booking_id, now=now)
        expired += outcome == EXPIRED
        kept += outcome == KEPT
    return ExpireReport(expired=expired, kept=kept)


# --- calendar feed -----------------------------------------------------------------------------


def calendar_token_rotate(*, user: User) -> str:
    """A new secret for the artist's ICS feed; the old link stops working at once."""
    user.calendar_token = secrets.token_urlsafe()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token
