"""Calendar invites attached to mails (RFC 5545 / iTIP RFC 5546), built with the icalendar package.

One event per booking: its UID never changes, SEQUENCE grows with each change, METHOD:REQUEST
creates or updates it in the recipient's calendar and METHOD:CANCEL removes it. Times carry the
TZID of the artist's zone, with that zone's VTIMEZONE (`add_timezone`, also used by the artists'
calendar feed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone

from notifications.services import Attachment


@lru_cache(maxsize=64)
def vtimezone(tzid: str) -> icalendar.Timezone:
    """The VTIMEZONE of `tzid` (its offsets 1970-2038), as `Calendar.add_missing_timezones` builds it.
    Building one walks the zone hour by hour: ~80 ms for Asia/Ulaanbaatar, paid by both invites of
    every paid deposit and by every fetch of an artist's calendar feed until it was kept here (the
    package's docs ask callers to cache it). Shared: callers only serialise it, never change it."""
    return icalendar.Timezone.from_tzid(tzid)


def add_timezone(cal: icalendar.Calendar, tzid: str) -> None:
    """Put `tzid`'s VTIMEZONE first in `cal`, before the components whose times name it."""
    cal.subcomponents.insert(0, vtimezone(tzid))


def invite(
    *,
    uid: str,
    sequence: int,
    method: str,
    start: datetime,
    end: datetime,
    tzid: str,
    summary: str,
    description: str = "",
    url: str = "",
    organizer: tuple[str, str] | None = None,
    attendees: Sequence[tuple[str, str]] = (),
) -> Attachment:
    """An invite (method REQUEST) or a cancellation (method CANCEL) as a mail attachment.
    `organizer` and `attendees` are (name, e-mail) pairs."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported METHOD {method!r}")
    tz = ZoneInfo(tzid)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Inkbook//Bookings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", start.astimezone(tz))
    event.add("dtend", end.astimezone(tz))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if organizer is not None:
        org = icalendar.vCalAddress(f"mailto:{organizer[1]}")
        org.params["cn"] = icalendar.vText(organizer[0])
        event.add("organizer", org)
    for name, email in attendees:
        att = icalendar.vCalAddress(f"mailto:{email}")
        att.params["cn"] = icalendar.vText(name)
        att.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", att)
    cal.add_component(event)
    add_timezone(cal, tzid)
    return Attachment(
        filename="invite.ics" if method == "REQUEST" else "cancel.ics",
        mimetype=f'text/calendar; method={method}; charset="utf-8"',
        content=cal.to_ical().decode(),
    )
