"""May this booking take this slot: the one rule, and the refusals it is made of.

A booking's time must belong to an artist who takes bookings (approved by staff, with an active
account), lie ahead, fit inside one of the artist's weekly windows (their wall-clock time, DST-safe),
touch no time off and overlap no booking that holds its time (`SLOT_HOLDING`). `slot_refusal`
asks all of it with the ORM; every path that gives a booking a time calls it (docs/api.md,
"Booking rules"): a reschedule (`bookings/services.py`), a late payment bringing an expired hold
back (`payments/services.py`). The create reads the same facts in its own statement and answers
with the same refusals (`bookings/services.py` `_booking_insert`).

Each refusal has one shape (STYLE.md): the error to raise, or None. How far ahead a *new* start may
be asked for (minimum notice, horizon) is the request's own check (`_bookable_start`); a booking
that already has its time keeps it. Callers hold the artist's row lock where their lock order
allows it; the exclusion constraint `bookings_no_overlap` stays the guarantee either way.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from accounts.models import Tattooist
from bookings.models import SLOT_HOLDING, Availability, Booking, TimeOff
from bookings.selectors import dow, window_bounds_utc
from tattoo.core.errors import ApplicationError, ConflictError


def artist_refusal(*, bookable: bool) -> ApplicationError | None:
    """An artist takes bookings once staff approved them, while their account is active."""
    if bookable:
        return None
    return ApplicationError(
        _("This artist is not taking bookings yet."),
        code="artist_not_approved",
        fields={"tattooistId": [_("Artist not approved.")]},
    )


def is_bookable(tattooist: Tattooist) -> bool:
    return bool(tattooist.approved and tattooist.user.is_active)


def past_refusal(*, slot: datetime, now: datetime) -> ApplicationError | None:
    if slot > now:
        return None
    return ApplicationError(
        _("This time has already begun or passed."),
        code="too_soon",
        fields={"slot": [_("Too soon or in the past.")]},
    )


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of one local calendar day in `tz` (23 or 25 hours long across a DST change)."""
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def hours_refusal(windows, local_day: date, tz: ZoneInfo, slot: datetime, ends_at: datetime) -> ApplicationError | None:
    """The session must fit inside one of the local day's (start, end) wall-clock windows."""
    if any(ws <= slot and ends_at <= we for ws, we in (window_bounds_utc(local_day, s, e, tz) for s, e in windows)):
        return None
    return ApplicationError(
        _("The session does not fit inside the artist's hours on that day."),
        code="outside_availability",
        fields={"slot": [_("Outside the artist's availability.")]},
    )


def time_off_error() -> ApplicationError:
    return ApplicationError(
        _("The artist is away at that time."), code="time_off", fields={"slot": [_("The artist is away then.")]}
    )


def slot_taken_error() -> ConflictError:
    return ConflictError(
        _("This time overlaps another booking of this artist. Pick another slot."),
        code="slot_taken",
        fields={"slot": [_("This time is no longer free.")]},
    )


def slot_refusal(
    *, tattooist: Tattooist, slot: datetime, ends_at: datetime, now: datetime, booking_id: int | None = None
) -> ApplicationError | None:
    """Why a booking of `tattooist` (`booking_id`, when it already exists: it does not clash with
    itself) may not take [slot, ends_at) now, or None. Four reads at most, each on an index."""
    refusal = artist_refusal(bookable=is_bookable(tattooist)) or past_refusal(slot=slot, now=now)
    if refusal is not None:
        return refusal
    tz = ZoneInfo(tattooist.timezone)
    local_day = slot.astimezone(tz).date()
    windows = Availability.objects.filter(tattooist=tattooist, day=dow(local_day)).values_list("start_time", "end_time")
    refusal = hours_refusal(windows, local_day, tz, slot, ends_at)
    if refusal is not None:
        return refusal
    if TimeOff.objects.filter(tattooist=tattooist, starts_at__lt=ends_at, ends_at__gt=slot).exists():
        return time_off_error()
    clash = Booking.objects.filter(SLOT_HOLDING, tattooist=tattooist, slot__lt=ends_at, ends_at__gt=slot)
    if booking_id is not None:
        clash = clash.exclude(pk=booking_id)
    if clash.exists():
        return slot_taken_error()
    return None
