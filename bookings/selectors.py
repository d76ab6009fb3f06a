"""Reads for artists, availability and bookings: scoped querysets and the bookable-slot computation."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BigIntegerField, BooleanField, Case, DateTimeField, F, Func, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Tattooist, User
from accounts.selectors import tattooist_can_view, tattooist_public_qs
from bookings.models import ACTIVE_STATUSES, MAX_BOOKING_LENGTH, SLOT_HOLDING, Availability, Booking, TimeOff
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


@dataclass(frozen=True)
class SlotRules:
    """The settings the slot rule follows: minimum notice, horizon and the grid's step."""

    notice: timedelta
    horizon: timedelta
    step: timedelta

    @classmethod
    def from_settings(cls) -> SlotRules:
        notice, horizon = booking_bounds()
        return cls(notice, horizon, timedelta(minutes=settings.BOOKING_SLOT_STEP_MINUTES))

    def bounds(self, *, start: datetime, end: datetime, now: datetime) -> tuple[datetime, datetime]:
        """(earliest start, latest start, inclusive) of [start, end) once the minimum notice and
        the horizon apply; the latest is before the earliest when nothing can be bookable."""
        return max(start, now + self.notice), min(end - timedelta(microseconds=1), now + self.horizon)


@dataclass(frozen=True)
class Schedule:
    """What the slot rule reads of one artist: zone, session length, weekly windows by day (dow,
    each day's sorted by start) and the busy intervals (active bookings, pending holds included,
    and time off) around the range asked for, merged and sorted (parallel start/end lists for
    bisect), and the rules read from settings once for the whole load."""

    timezone: str
    session_minutes: int
    windows: dict[int, list[tuple[time, time]]]
    busy_starts: list[datetime]
    busy_ends: list[datetime]
    rules: SlotRules


def slot_bounds(*, start: datetime, end: datetime, now: datetime) -> tuple[datetime, datetime]:
    """SlotRules.bounds under the current settings."""
    return SlotRules.from_settings().bounds(start=start, end=end, now=now)


def slot_starts(
    *, schedule: Schedule, start: datetime, end: datetime, now: datetime, first: bool = False
) -> list[datetime]:
    """THE slot rule: bookable starts in [start, end) of one artist, sorted (with `first`, only the
    earliest, or none). Pure: everything it reads is in `schedule` (schedules_load).

    Candidate starts lie on a grid anchored at each window's start with a step of
    BOOKING_SLOT_STEP_MINUTES (default 30) of real time, as long as the whole session fits in the
    window, does not touch a busy interval, is at least the minimum notice ahead and at most the
    horizon ahead. The calendar is expanded per local date with zoneinfo, which is where DST is
    handled. Local days never overlap in real time, and one day's windows (sorted by their start,
    schedules_load) never overlap each other, so the first free start found is the earliest one
    (`first` stops there).
    """
    session = timedelta(minutes=schedule.session_minutes)
    step = schedule.rules.step
    tz = ZoneInfo(schedule.timezone)
    lower, latest = schedule.rules.bounds(start=start, end=end, now=now)
    if latest < lower:
        return []
    starts, ends = schedule.busy_starts, schedule.busy_ends
    out: list[datetime] = []
    day = lower.astimezone(tz).date() - timedelta(days=1)
    last_day = latest.astimezone(tz).date()
    while day <= last_day:
        found: list[datetime] = []
        for w_start, w_end in schedule.windows.get(dow(day), ()):
            ws, we = window_bounds_utc(day, w_start, w_end, tz)
            s = ws
            if s < lower:  # the window's first grid start at or after `lower`
                s += step * -(-(lower - ws) // step)
            while s + session <= we and s <= latest:
                if _is_free(s, s + session, starts, ends):
                    if first:
                        return [s]
                    found.append(s)
                s += step
        out.extend(sorted(set(found)))
        day += timedelta(days=1)
    return out


class _EpochMicroseconds(Func):
    """A timestamptz as whole microseconds since 1970 UTC: exact, and an integer psycopg reads in C."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _instant(microseconds: int) -> datetime:
    return _EPOCH + timedelta(microseconds=microseconds)


class SlotArtist(Protocol):
    """What the slot rule reads of an artist (schedules_load): a Tattooist, or a stand-in that
    carries only these (_ArtistClock; search.selectors._Clock, three columns of a row)."""

    @property
    def pk(self) -> int: ...

    @property
    def timezone(self) -> str: ...

    @property
    def session_minutes(self) -> int: ...


def schedules_load(
    *, artists: Iterable[SlotArtist], start: datetime, end: datetime, now: datetime
) -> dict[int, Schedule]:
    """The schedules of many artists for slot_starts over [start, end), in two queries whatever
    their number (weekly windows; active bookings and time off in one round trip). `artists` need
    only their id, timezone and session_minutes."""
    by_pk = {a.pk: a for a in artists}
    rules = SlotRules.from_settings()
    lower, latest = rules.bounds(start=start, end=end, now=now)
    if not by_pk:
        return {}
    # Many ids as one array parameter, not a list of thousands of placeholders; one id (a slot list,
    # an artist page: most calls) as a plain equality, which PostgreSQL plans in about half the time
    # (bench/README.md, "Where PostgreSQL's extra time goes").
    ids = RawSQL("SELECT unnest(%s::bigint[])", [list(by_pk)]) if len(by_pk) > 1 else list(by_pk)
    windows: dict[int, dict[int, list[tuple[time, time]]]] = {}
    for pk, day, w_start, w_end in (
        Availability.objects.filter(tattooist_id__in=ids)
        .order_by("tattooist_id", "day", "start_time")
        .values_list("tattooist_id", "day", "start_time", "end_time")
    ):
        windows.setdefault(pk, {}).setdefault(day, []).append((w_start, w_end))
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    if lower <= latest:
        longest = timedelta(minutes=max(a.session_minutes for a in by_pk.values()))
        busy_from, busy_to = lower, latest + longest
        # Instants travel as epoch microseconds: Django's loader for timestamptz parses each one in
        # Python, several microseconds apiece, which was most of this query's cost for a few
        # thousand rows (bench/README.md, "Finding an artist").
        bookings = (
            Booking.objects.filter(
                SLOT_HOLDING,
                tattooist_id__in=ids,
                # redundant with ends_at > busy_from, but it bounds the index scans on slot
                slot__gt=busy_from - MAX_BOOKING_LENGTH,
                slot__lt=busy_to,
                ends_at__gt=busy_from,
            )
            .annotate(s=_EpochMicroseconds("slot"), e=_EpochMicroseconds("ends_at"))
            .values_list("tattooist_id", "s", "e")
        )
        time_off = (
            TimeOff.objects.filter(tattooist_id__in=ids, starts_at__lt=busy_to, ends_at__gt=busy_from)
            .annotate(s=_EpochMicroseconds("starts_at"), e=_EpochMicroseconds("ends_at"))
            .values_list("tattooist_id", "s", "e")
        )
        for pk, s, e in bookings.union(time_off, all=True):
            busy[pk].append((_instant(s), _instant(e)))
    schedules = {}
    for pk, artist in by_pk.items():
        starts, ends = _merge(busy.get(pk, ()))
        schedules[pk] = Schedule(artist.timezone, artist.session_minutes, windows.get(pk, {}), starts, ends, rules)
    return schedules


@dataclass(frozen=True)
class _ArtistClock:
    """What schedules_load reads of an artist, with a session length of the caller's choosing."""

    pk: int
    timezone: str
    session_minutes: int


def tattooist_slots(
    *, tattooist: Tattooist, start: datetime, end: datetime, now: datetime | None = None, minutes: int | None = None
) -> Slots:
    """Bookable start times in [start, end) for one artist: schedules_load + slot_starts (two
    queries whatever the range; none when the range lies outside the notice and the horizon).
    `minutes`: sessions of that length instead of the artist's own (a quote's proposed starts)."""
    now = now or timezone.now()
    length = minutes or tattooist.session_minutes
    lower, latest = slot_bounds(start=start, end=end, now=now)
    if latest < lower:
        return Slots(tattooist.timezone, length, [])
    clock = _ArtistClock(tattooist.pk, tattooist.timezone, length)
    schedule = schedules_load(artists=[clock], start=start, end=end, now=now)[tattooist.pk]
    starts = slot_starts(schedule=schedule, start=start, end=end, now=now)
    return Slots(tattooist.timezone, length, starts)


NEXT_AVAILABLE_DAYS = 60  # how far ahead the list looks for an artist's next free start


def next_available(
    *,
    artists: Iterable[SlotArtist],
    now: datetime | None = None,
    days: int = NEXT_AVAILABLE_DAYS,
    first_look_days: int | None = None,
) -> dict[int, datetime | None]:
    """Each artist's first bookable start within `days` (the list's `nextAvailable`), the slot
    rule itself deciding (slot_starts), never a copy of it: two queries whatever the number of
    artists. With `first_look_days`, the schedules of the first days are loaded for everybody and
    the rest of the `days` only for the artists not free in them (two more queries, when there are
    any): for many artists, most of whom are free soon, that moves far fewer rows."""
    now = now or timezone.now()
    found: dict[int, datetime | None] = {}
    pending = list(artists)
    for horizon in ([first_look_days] if first_look_days and first_look_days < days else []) + [days]:
        if not pending:
            break
        end = now + timedelta(days=horizon)
        schedules = schedules_load(artists=pending, start=now, end=end, now=now)
        for pk, schedule in schedules.items():
            found[pk] = next(iter(slot_starts(schedule=schedule, start=now, end=end, now=now, first=True)), None)
        pending = [artist for artist in pending if found[artist.pk] is None]
    return found


def artists_available_between(
    *, artists: Iterable[SlotArtist], first_day: date, last_day: date, now: datetime | None = None
) -> set[int]:
    """The artists with at least one bookable start from `first_day` to `last_day` (both included),
    each day read in the artist's own zone (the list's availableFrom/availableTo); two queries
    whatever their number, the slot rule itself deciding (slot_starts)."""
    now = now or timezone.now()
    artists = list(artists)
    # Every zone's local days lie within UTC-12..UTC+14 of the UTC ones: one load covers them all.
    start = datetime.combine(first_day, time.min, tzinfo=UTC) - timedelta(hours=14)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC) + timedelta(hours=12)
    schedules = schedules_load(artists=artists, start=start, end=end, now=now)
    found = set()
    for artist in artists:
        tz = ZoneInfo(artist.timezone)
        local_start = datetime.combine(first_day, time.min, tzinfo=tz)
        local_end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
        if slot_starts(schedule=schedules[artist.pk], start=local_start, end=local_end, now=now, first=True):
            found.add(artist.pk)
    return found


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
