"""May this booking take this slot: the one rule home (docs/api.md, "Booking rules").

A booking's time must belong to an artist who takes bookings (approved by staff, with an active
account), lie ahead, fit inside one of the artist's weekly windows (their wall-clock time, DST-safe),
touch no time off and overlap no booking that holds its time (`SLOT_HOLDING`); a time held unpaid
also counts against the hold caps (the customer's own, and the artist-day cap against hoarding one
artist's day across accounts). `slot_refusal` asks all of it, and every path that gives a booking a
time calls it: a new booking (`booking_create`), a move (`booking_reschedule`), an accepted quote,
and a late payment bringing an expired hold back (`payments/services/verdict.py`).

Callers take the locks first, in the documented order (`lock_parties`: the customer's row, then the
artist's, with select_for_update), so what the rule reads after them sees every committed
competitor; the exclusion constraint `bookings_no_overlap` stays the guarantee for
any writer that skips them. Each refusal has one shape (STYLE.md): the error to raise, or None.
How far ahead a *new* start may be asked for (minimum notice, horizon) is the request's own check
(`bookings.services.create._bookable_start`); a booking that already has its time keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, F, Func, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from accounts.models import Tattooist, User
from bookings.models import SLOT_HOLDING, Availability, Booking, BookingStatus, DepositRole, PaymentStatus, TimeOff
from bookings.selectors import dow, window_bounds_utc
from tattoo.core.errors import ApplicationError, ConflictError
from tattoo.core.hooks import Hook

# Payment states in which a pending booking is still only a hold (nothing received yet).
UNPAID_STATES = (PaymentStatus.UNPAID, PaymentStatus.PENDING)


def unpaid_holds(**filters: Any) -> QuerySet[Booking]:
    """Pending bookings whose deposit has not arrived: what the hold limits count and expiry ends."""
    return Booking.objects.filter(status=BookingStatus.PENDING, payment_status__in=UNPAID_STATES, **filters)


def slot_taken_error() -> ConflictError:
    return ConflictError(
        _("This time overlaps another booking of this artist. Pick another slot."),
        code="slot_taken",
        fields={"slot": [_("This time is no longer free.")]},
    )


def lock_parties(*, customer_id: int, artist_id: int) -> Tattooist | None:
    """Lock the customer's row, then the artist's (always this order: no deadlock between creates,
    moves and accepts), inside the caller's transaction; the artist (with its user) or None.

    One statement: the customer's lock is an uncorrelated subquery, which PostgreSQL runs (as an
    InitPlan) when it builds the artist's row, before the LockRows step above it locks that row,
    so the customer's row is locked first (bookings/tests/test_lock_order.py watches the order from
    a second connection). No artist, no row: nothing is locked and the caller refuses.

    NO KEY UPDATE conflicts with itself but not with the KEY SHARE locks that foreign-key checks
    take, so other writers of rows pointing at these two are not held up. The customer's lock makes
    the unpaid-hold limit exact; the artist's makes the checks after it see every committed
    competitor.
    """
    customer = User.objects.select_for_update(no_key=True).filter(pk=customer_id).values("pk")
    return (
        Tattooist.objects.select_for_update(no_key=True, of=("self",))
        .select_related("user")
        .annotate(customer_locked=Subquery(customer))
        .filter(pk=artist_id)
        .first()
    )


def _count(rows: QuerySet[Any]) -> Subquery:
    """How many `rows`, as a subquery of one number (COUNT without a GROUP BY)."""
    return Subquery(rows.order_by().values(n=Func(F("pk"), function="COUNT")))


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of one local calendar day in `tz` (23 or 25 hours long across a DST change)."""
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


# Rules a higher app adds for the bookings that belong to something of its own (consultations: the
# heal time between a project's sessions), asked by slot_refusal for a booking that exists (a move,
# a late payment) and whose deposit role is not `own`: a direct booking costs no extra query. Each
# takes (booking=, artist=, slot=, ends_at=) and returns the error to raise, or None. Registered in
# the higher app's AppConfig.ready (tattoo.core.hooks): a lower layer never imports it.
slot_rules: Hook[Callable[..., ApplicationError | None]] = Hook("bookings.slot_rules")


def slot_refusal(
    *,
    artist: Tattooist,
    slot: datetime,
    ends_at: datetime,
    now: datetime,
    booking: Booking | None = None,
    new_hold_for: int | None = None,
) -> ApplicationError | None:
    """Why [slot, ends_at) may not be booked with `artist` (its user loaded) now, or None.

    `booking`: the booking that would take the time, when it exists already (a move, a late
    payment): it never clashes with itself, and a hold moving within its own day is already
    counted there. `new_hold_for`: the customer's id when the time would be held unpaid, so the
    hold caps apply. Call it under `lock_parties`, so what it reads is what the write will meet.
    """
    if not (artist.approved and artist.user.is_active):
        return ApplicationError(
            _("This artist is not taking bookings yet."),
            code="artist_not_approved",
            fields={"tattooistId": [_("Artist not approved.")]},
        )
    if slot <= now:
        return ApplicationError(
            _("This time has already begun or passed."),
            code="too_soon",
            fields={"slot": [_("Too soon or in the past.")]},
        )
    tz = ZoneInfo(artist.timezone)
    local_day = slot.astimezone(tz).date()
    itself = ~Q(pk=booking.pk) if booking is not None else Q()
    # Every fact in one statement, read after the caller's locks: the artist's windows on that
    # weekday, each row carrying the rest as uncorrelated subqueries (PostgreSQL computes each once).
    # They are judged below in the rule's order, so the first broken rule is the refusal. No window
    # on that weekday means no row, and that is the first refusal anyway. Measured against five
    # plain queries (one per fact): ~27 % less time in this function (bench/README.md).
    facts: dict[str, Any] = {
        "away": Exists(TimeOff.objects.filter(tattooist=artist, starts_at__lt=ends_at, ends_at__gt=slot)),
        "taken": Exists(
            Booking.objects.filter(SLOT_HOLDING, itself, tattooist=artist, slot__lt=ends_at, ends_at__gt=slot)
        ),
    }
    if new_hold_for is not None:
        facts["holds"] = _count(unpaid_holds(customer_id=new_hold_for))
        # A hold moving within its own day is already counted there.
        if booking is None or booking.slot.astimezone(tz).date() != local_day:
            day_start, day_end = local_day_bounds(local_day, tz)
            facts["day_holds"] = _count(unpaid_holds(tattooist=artist, slot__gte=day_start, slot__lt=day_end))
    rows = list(
        Availability.objects.filter(tattooist=artist, day=dow(local_day))
        .annotate(**facts)
        .values("start_time", "end_time", *facts)
    )
    if not any(
        ws <= slot and ends_at <= we
        for ws, we in (window_bounds_utc(local_day, r["start_time"], r["end_time"], tz) for r in rows)
    ):
        return ApplicationError(
            _("The session does not fit inside the artist's hours on that day."),
            code="outside_availability",
            fields={"slot": [_("Outside the artist's availability.")]},
        )
    fact = rows[0]
    if fact["away"]:
        return ApplicationError(
            _("The artist is away at that time."), code="time_off", fields={"slot": [_("The artist is away then.")]}
        )
    if new_hold_for is not None and fact["holds"] >= settings.BOOKING_MAX_UNPAID_HOLDS:
        return ConflictError(
            _("You already hold %(holds)s unpaid bookings; pay or cancel one before booking another.")
            % {"holds": fact["holds"]},
            code="too_many_holds",
        )
    if fact["taken"]:
        return slot_taken_error()
    if fact.get("day_holds", 0) >= settings.BOOKING_MAX_UNPAID_HOLDS_PER_ARTIST_DAY:
        # Slot hoarding across accounts (docs/security.md, "Holds by several accounts of one
        # person"): holds expire, so this clears by itself.
        return ConflictError(
            _(
                "Too many unpaid bookings are waiting for payment on this artist's day; try again once one "
                "is paid or released (holds last at most %(minutes)s minutes), or pick another day."
            )
            % {"minutes": f"{settings.BOOKING_HOLD_MINUTES:g}"},
            code="artist_day_held",
        )
    if booking is not None and booking.deposit_role != DepositRole.OWN:
        for rule in slot_rules.providers():
            refusal = rule(booking=booking, artist=artist, slot=slot, ends_at=ends_at)
            if refusal is not None:
                return refusal
    return None
