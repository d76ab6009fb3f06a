"""Booking create: who may book, the request's own checks (an offset, notice and horizon, a whole
deposit), and THE booking writer every path that makes a booking goes through
(`booking_write_locked`: a direct booking here, an accepted quote and a project's sessions in
consultations/)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import BookingMode, Role, Tattooist, User
from bookings import notices, rules
from bookings.models import Booking, BookingEvent, BookingStatus, DepositRole, PaymentStatus
from bookings.selectors import booking_bounds
from bookings.services.conflicts import booking_write_retry
from bookings.services.expiry import EXPIRE_HOLD_TASK
from tattoo.core import jobs
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError
from tattoo.core.l10n import money
from tattoo.core.money import is_whole, quantize
from tattoo.core.rates import rate_refusal, tally_get


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
    refusal: ApplicationError | None = booking_create_refusal(customer=customer)
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
    return booking_write_retry(
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
