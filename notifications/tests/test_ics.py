"""Calendar invites (notifications/ics.py): the zone's VTIMEZONE is the package's own, built once."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest

from notifications import ics


def _invite(tzid: str, start: datetime) -> icalendar.Calendar:
    attachment = ics.invite(
        uid="booking-1@inkbook.test",
        sequence=0,
        method="REQUEST",
        start=start,
        end=start.replace(hour=start.hour + 2),
        tzid=tzid,
        summary="Tattoo session",
    )
    return icalendar.Calendar.from_ical(attachment.content)


@pytest.mark.parametrize("tzid", ["Asia/Ulaanbaatar", "Europe/Berlin"])
def test_the_invite_carries_the_vtimezone_the_package_would_add(tzid):
    cal = _invite(tzid, datetime(2027, 3, 28, 9, tzinfo=UTC))
    [zone] = cal.walk("VTIMEZONE")
    assert cal.subcomponents[0].name == "VTIMEZONE"  # before the event that names it
    [event] = cal.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == tzid
    assert event["DTSTART"].dt == datetime(2027, 3, 28, 9, tzinfo=UTC)
    # what Calendar.add_missing_timezones() builds for the same event
    reference = icalendar.Calendar()
    reference.add_component(event)
    reference.add_missing_timezones()
    assert zone.to_ical() == reference.walk("VTIMEZONE")[0].to_ical()


def test_a_zone_is_built_once_and_serialised_unchanged_for_every_invite():
    ics.vtimezone.cache_clear()
    first = _invite("Europe/Berlin", datetime(2027, 1, 5, 9, tzinfo=UTC))
    second = _invite("Europe/Berlin", datetime(2027, 7, 5, 9, tzinfo=UTC))
    info = ics.vtimezone.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert first.walk("VTIMEZONE")[0].to_ical() == second.walk("VTIMEZONE")[0].to_ical()
    # Berlin's two offsets, the summer one included
    offsets = {sub["TZOFFSETTO"].to_ical() for sub in first.walk("VTIMEZONE")[0].subcomponents}
    assert {"+0100", "+0200"} <= {o.decode() if isinstance(o, bytes) else o for o in offsets}
