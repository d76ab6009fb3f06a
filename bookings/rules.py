"""May this booking take this slot: the one rule home (docs/bookings.md).

A new booking (`booking_create`), a move (`booking_reschedule`), an accepted quote and a late
payment that would bring an expired hold back all ask `slot_refusal`, under the locks the caller
took in the documented order (the customer's row, then the artist's: `lock_parties`). The
exclusion constraint `bookings_no_overlap` stays the guarantee; this rule gives the clean answer
that names the reason.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject
from django.utils.translation import gettext as _

from accounts.models import Tattooist, User
from bookings.models import ACTIVE_STATUSES, Availability, Booking, BookingStatus, PaymentStatus, TimeOff
from bookings.selectors import booking_bounds, dow, window_bounds_utc
from tattoo.core.errors import ApplicationError, ConflictError

# Payment states in which a pending booking is still only a hold (nothing received yet).
UNPAID_STATES = (PaymentStatus.UNPAID, PaymentStatus.PENDING)


def unpaid_holds(**filters):
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

    NO KEY UPDATE conflicts with itself but not with the KEY SHARE locks that foreign-key checks
    take, so other writers of rows pointing at these two are not held up. The customer's lock makes
    the unpaid-hold limit exact; the artist's makes the checks after it see every committed
    competitor.
    """
    list(User.objects.select_for_update(no_key=True).filter(pk=customer_id).values_list("pk"))
    return (
        Tattooist.objects.select_for_update(no_key=True, of=("self",))
        .select_related("user")
        .filter(pk=artist_id)
        .first()
    )


def timing_refusal(slot: datetime, *, now: datetime) -> ApplicationError | None:
    """Why a session may not start at `slot` (an aware time), judged at `now`: the minimum notice
    and the booking horizon."""
    notice, horizon = booking_bounds()
    if slot < now + notice:
        return ApplicationError(
            _("Bookings must start at least %(minutes)s minutes from now.")
            % {"minutes": settings.BOOKING_MIN_NOTICE_MINUTES},
            code="too_soon",
            fields={"slot": [_("Too soon or in the past.")]},
        )
    if slot > now + horizon:
        return ApplicationError(
            _("Bookings can be made at most %(days)s days ahead.") % {"days": settings.BOOKING_HORIZON_DAYS},
            code="beyond_horizon",
            fields={"slot": [_("Too far ahead.")]},
        )
    return None


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of one local calendar day in `tz` (23 or 25 hours long across a DST change)."""
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def _count(queryset) -> Coalesce:
    """A correlated COUNT(*) of `queryset` as an expression (0 when it has no rows)."""
    counted = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def slot_refusal(
    *,
    artist: Tattooist,
    slot: datetime,
    ends_at: datetime,
    now: datetime,
    booking: Booking | None = None,
    new_hold_for: int | None = None,
) -> ApplicationError | None:
    """Why [slot, ends_at) may not be booked with `artist` now, or None. The one rule (docs/bookings.md).

    `booking`: the booking that would take the slot, when it exists already (a move, a late
    payment): it never clashes with itself, and it stops being counted where it was. `new_hold_for`:
    the customer's id when the slot would be held unpaid, so the hold limits apply (the customer's
    own, and the artist-day cap against hoarding one artist's day across accounts). Call it under
    `lock_parties`: the facts are read in one statement after both locks.
    """
    if not (artist.approved and artist.user.is_active):
        return ApplicationError(
            _("This artist is not taking bookings yet."),
            code="artist_not_approved",
            fields={"tattooistId": [_("Artist not approved.")]},
        )
    timing = timing_refusal(slot, now=now)
    if timing is not None:
        return timing
    tz = ZoneInfo(artist.timezone)
    local_day = slot.astimezone(tz).date()
    day_start, day_end = local_day_bounds(local_day, tz)
    others = Booking.objects.exclude(pk=booking.pk) if booking is not None else Booking.objects.all()
    # A hold moving within its own day is already counted there.
    counts_day = new_hold_for is not None and (booking is None or booking.slot.astimezone(tz).date() != local_day)
    facts = (
        Tattooist.objects.filter(pk=artist.pk)
        .annotate(
            away=Exists(TimeOff.objects.filter(tattooist=OuterRef("pk"), starts_at__lt=ends_at, ends_at__gt=slot)),
            clash=Exists(
                others.filter(tattooist=OuterRef("pk"), status__in=ACTIVE_STATUSES, slot__lt=ends_at, ends_at__gt=slot)
            ),
            holds=_count(unpaid_holds(customer_id=new_hold_for)) if new_hold_for is not None else Value(0),
            day_holds=(
                _count(unpaid_holds(tattooist=OuterRef("pk"), slot__gte=day_start, slot__lt=day_end))
                if counts_day
                else Value(0)
            ),
            windows=ArraySubquery(
                Availability.objects.filter(tattooist=OuterRef("pk"), day=dow(local_day)).values(
                    json=JSONObject(start="start_time", end="end_time")
                )
            ),
        )
        .values("away", "clash", "holds", "day_holds", "windows")
        .get()
    )
    windows = (
        window_bounds_utc(local_day, time.fromisoformat(w["start"]), time.fromisoformat(w["end"]), tz)
        for w in facts["windows"]
    )
    if not any(ws <= slot and ends_at <= we for ws, we in windows):
        return ApplicationError(
            _("The session does not fit inside the artist's hours on that day."),
            code="outside_availability",
            fields={"slot": [_("Outside the artist's availability.")]},
        )
    if facts["away"]:
        return ApplicationError(
            _("The artist is away at that time."), code="time_off", fields={"slot": [_("The artist is away then.")]}
        )
    if facts["holds"] >= settings.BOOKING_MAX_UNPAID_HOLDS:
        return ConflictError(
            _("You already hold %(holds)s unpaid bookings; pay or cancel one before booking another.")
            % {"holds": facts["holds"]},
            code="too_many_holds",
        )
    if facts["clash"]:
        return slot_taken_error()
    if facts["day_holds"] >= settings.BOOKING_MAX_UNPAID_HOLDS_PER_ARTIST_DAY:
        # Slot hoarding across accounts (docs/reliability.md B8): holds expire, so this clears by itself.
        return ConflictError(
            _(
                "Too many unpaid bookings are waiting for payment on this artist's day; try again once one is "
                "paid or released (holds last at most %(minutes)g minutes), or pick another day."
            )
            % {"minutes": settings.BOOKING_HOLD_MINUTES},
            code="artist_day_held",
        )
    return None
