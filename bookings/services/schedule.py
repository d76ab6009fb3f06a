"""Writes of an artist's own schedule: booking settings, weekly availability, time off, and the
secret of their calendar feed."""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import DEPOSIT_REFUNDABLE_HOURS_MAX, Tattooist, User
from bookings.models import Availability, TimeOff
from tattoo.core.errors import ApplicationError, NotAllowedError
from tattoo.core.money import is_whole, quantize

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


Row = TypeVar("Row", Availability, TimeOff)  # an artist's own schedule row


def _artists_own(model: type[Row], *, pk: int, user: User, refusal: str) -> Row:
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


# --- calendar feed -----------------------------------------------------------------------------


def calendar_token_rotate(*, user: User) -> str:
    """A new secret for the artist's ICS feed; the old link stops working at once."""
    user.calendar_token = secrets.token_urlsafe()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token
