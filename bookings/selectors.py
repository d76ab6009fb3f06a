"""Reads for artists, availability and bookings: scoped querysets and the bookable-slot computation."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Case, DateTimeField, F, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Tattooist, User
from accounts.selectors import tattooist_can_view, tattooist_public_qs
from bookings.models import ACTIVE_STATUSES, SLOT_HOLDING, Availability, Booking, TimeOff
from tattoo.core.errors import NotAllowedError

# --- artists ----------------------------------------------------------------------------------


def tattooist_get_bookable(*, tattooist_id: int) -> Tattooist:
    """The fields the slot computation needs of one public artist (404 otherwise), without the
    style-tag aggregate the public profile carries."""
    artist = tattooist_public_qs().filter(pk=tattooist_id).only("id", "timezone", "session_minutes").first()
    if artist is None:
        raise Http404
    return artist


def tattooist_of(user: User) -> Tattooist:
    """The caller's own artist profile (the caller has the tattooist role)."""
    artist = Tattooist.objects.filter(user=user).first()
    if artist is None:
        raise NotAllowedError(_("Your account has no artist profile."), code="no_artist_profile")
    return artist


# --- availability and time off -----------------------------------------------------------------


def availability_for(*, tattooist_id: int, viewer: User | None) -> tuple[Tattooist, QuerySet[Availability]]:
    """An artist's weekly windows: public for approved artists, and always for the artist or staff."""
    artist = Tattooist.objects.filter(pk=tattooist_id).first()
    if artist is None:
        raise Http404
    if not tattooist_can_view(tattooist=artist, viewer=viewer):
        raise Http404
    return artist, Availability.objects.filter(tattooist=artist).order_by("day", "start_time", "id")


def time_off_for(*, tattooist: Tattooist, now: datetime | None = None) -> QuerySet[TimeOff]:
    """The artist's time off: current and upcoming first (soonest first), then past (latest first)."""
    now = now or timezone.now()
    return (
        TimeOff.objects.filter(tattooist=tattooist)
        .annotate(
            past=Case(When(ends_at__lte=now, then=Value(True)), default=Value(False), output_field=BooleanField()),
            upcoming_start=Case(When(ends_at__gt=now, then=F("starts_at")), output_field=DateTimeField()),
        )
        .order_by("past", "upcoming_start", "-starts_at", "id")
    )


# --- bookings ----------------------------------------------------------------------------------


def booking_list_for(*, user: User, status: str | None = None) -> QuerySet[Booking]:
    """The bookings `user` may see: a customer's own, an artist's own, everything for staff."""
    qs = Booking.objects.all()
    if user.is_admin:
        pass
    elif user.role == Role.TATTOOIST:
        qs = qs.filter(tattooist__user=user)
    elif user.role == Role.CUSTOMER:
        qs = qs.filter(customer=user)
    else:  # an unknown role sees nothing rather than everything
        qs = qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def booking_get_for(*, user: User, booking_id: int, with_events: bool = False) -> Booking:
    """One booking for one of its parties or staff: unknown id → 404, anyone else → 403."""
    qs = Booking.objects.select_related("tattooist")
    if with_events:
        qs = qs.prefetch_related("events")
    booking = qs.filter(pk=booking_id).first()
    if booking is None:
        raise Http404
    if not booking_is_party(booking=booking, user=user) and not user.is_admin:
        raise NotAllowedError(_("This booking is not yours."), code="not_a_party")
    return booking


def booking_authorize_named(*, user: User, data) -> None:
    """Authorization before validation for a request body that names a booking (`bookingId`):
    when it names one, the caller must be a party or staff (unknown id → 404, anyone else → 403)
    before anything else in the body is judged, so a stranger learns nothing from how the rest
    of the body would be validated. A missing or malformed id is left to the serializer (400)."""
    raw = data.get("booking_id", data.get("bookingId")) if hasattr(data, "get") else None
    if isinstance(raw, bool):
        return
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, int) and 0 < raw < 2**63:
        booking_get_for(user=user, booking_id=raw)


def booking_is_party(*, booking: Booking, user: User) -> bool:
    return booking.customer_id == user.pk or booking.tattooist.user_id == user.pk


# --- bookable slots ----------------------------------------------------------------------------


def dow(day: date) -> int:
    """0 = Sunday ... 6 = Saturday (PostgreSQL's dow, JavaScript's getDay())."""
    return (day.weekday() + 1) % 7


def window_bounds_utc(day: date, start: time, end: time, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A wall-clock window on one local date as a UTC interval.

    zoneinfo with fold=0 resolves the DST edges: a wall time that happens twice (autumn) is its
    first occurrence, and one that never happens (spring gap) is read with the offset in force
    before the gap, i.e. it lands just after the jump. Both ends are real instants, so a window
    that spans a change is simply an hour longer or shorter in real time.
    """
    return (
        datetime.combine(day, start, tzinfo=tz).astimezone(UTC),
        datetime.combine(day, end, tzinfo=tz).astimezone(UTC),
    )


def booking_bounds() -> tuple[timedelta, timedelta]:
    """(minimum notice, horizon) from settings."""
    return (
        timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES),
        timedelta(days=settings.BOOKING_HORIZON_DAYS),
    )


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> tuple[list[datetime], list[datetime]]:
    """Sorted, disjoint busy intervals as parallel start/end lists (for bisect)."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    for s, e in sorted(intervals):
        if ends and s <= ends[-1]:
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def _is_free(s: datetime, e: datetime, starts: list[datetime], ends: list[datetime]) -> bool:
    # The last busy interval starting before e is the only one that can overlap [s, e).
    i = bisect.bisect_left(starts, e) - 1
    return i < 0 or ends[i] <= s


@dataclass(frozen=True)
class Slots:
    timezone: str
    session_minutes: int
    starts: list[datetime]


def tattooist_slots(*, tattooist: Tattooist, start: datetime, end: datetime, now: datetime | None = None) -> Slots:
    """Bookable start times in [start, end) for one artist.

    Two queries whatever the range (windows; active bookings and time off); the calendar is then
    expanded in Python per local date with zoneinfo, which is where DST is handled. Candidate
    starts lie on a grid anchored at each window's start with a step of BOOKING_SLOT_STEP_MINUTES
    (default 30) of real time, as long as the whole session fits in the window, does not touch an
    active booking (pending holds included) or time off, is at least the minimum notice ahead and
    at most the horizon ahead.
    """
    now = now or timezone.now()
    notice, horizon = booking_bounds()
    session = timedelta(minutes=tattooist.session_minutes)
    step = timedelta(minutes=settings.BOOKING_SLOT_STEP_MINUTES)
    tz = ZoneInfo(tattooist.timezone)
    lower = max(start, now + notice)
    latest = min(end - timedelta(microseconds=1), now + horizon)  # the latest start allowed (inclusive)
    if latest < lower:
        return Slots(tattooist.timezone, tattooist.session_minutes, [])

    windows: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for w in Availability.objects.filter(tattooist=tattooist).values_list("day", "start_time", "end_time"):
        windows[w[0]].append((w[1], w[2]))
    busy_from, busy_to = lower, latest + session
    # The bookings holding their time, and time off, in one round trip.
    busy = list(
        Booking.objects.filter(SLOT_HOLDING, tattooist=tattooist, slot__lt=busy_to, ends_at__gt=busy_from)
        .values_list("slot", "ends_at")
        .union(
            TimeOff.objects.filter(tattooist=tattooist, starts_at__lt=busy_to, ends_at__gt=busy_from).values_list(
                "starts_at", "ends_at"
            ),
            all=True,
        )
    )
    starts, ends = _merge(busy)

    out: set[datetime] = set()
    day = lower.astimezone(tz).date() - timedelta(days=1)
    last_day = latest.astimezone(tz).date()
    while day <= last_day:
        for w_start, w_end in windows.get(dow(day), ()):
            ws, we = window_bounds_utc(day, w_start, w_end, tz)
            s = ws
            while s + session <= we:
                if lower <= s <= latest and _is_free(s, s + session, starts, ends):
                    out.add(s)
                s += step
        day += timedelta(days=1)
    return Slots(tattooist.timezone, tattooist.session_minutes, sorted(out))


# --- calendar feed -----------------------------------------------------------------------------


def tattooist_for_calendar(*, token: str) -> Tattooist | None:
    """The artist whose secret calendar link this is, or None."""
    if not token or len(token) > 64:
        return None
    return Tattooist.objects.select_related("user").filter(user__calendar_token=token, user__is_active=True).first()


def calendar_bookings(*, tattooist: Tattooist) -> QuerySet[Booking]:
    """What the ICS feed lists: active and completed bookings (not cancelled or expired ones)."""
    return (
        Booking.objects.filter(tattooist=tattooist, status__in=[*ACTIVE_STATUSES, "completed"])
        .select_related("customer")
        .order_by("slot", "id")
    )


# Availability.day follows PostgreSQL's dow (0 = Sunday); the artist page lists the week from Monday.
WEEK_FROM_MONDAY = (1, 2, 3, 4, 5, 6, 0)


def weekly_hours(*, tattooist: Tattooist) -> list[dict]:
    """[{day, name, windows: [Availability...]}] Monday first; days without windows have none."""
    by_day: dict[int, list[Availability]] = {d: [] for d in WEEK_FROM_MONDAY}
    for window in Availability.objects.filter(tattooist=tattooist).order_by("day", "start_time"):
        by_day[window.day].append(window)
    return [{"day": d, "name": Availability.Day(d).label, "windows": by_day[d]} for d in WEEK_FROM_MONDAY]
