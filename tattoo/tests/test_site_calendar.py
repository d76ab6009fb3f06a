"""The artist's ICS feed (tattoo/site/views/calendar.py): what it lists, on whose clock, injection."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings.tests.factories import BookingFactory
from testing.clients import logged_in

pytestmark = pytest.mark.django_db


def _unfold(body: str) -> str:
    return body.replace("\r\n ", "")


def test_the_calendar_feed_lists_active_and_completed_bookings_on_the_artists_clock(tattooist):
    slot = timezone.now().replace(microsecond=0, second=0) + timedelta(days=5)
    confirmed = BookingFactory(tattooist=tattooist, status="confirmed", slot=slot, notes="Koi, left arm; big")
    completed = BookingFactory(tattooist=tattooist, status="completed", slot=slot - timedelta(days=3))
    cancelled = BookingFactory(tattooist=tattooist, status="cancelled", slot=slot + timedelta(days=1))
    expired = BookingFactory(tattooist=tattooist, status="expired", slot=slot + timedelta(days=2))
    BookingFactory(status="confirmed")  # another artist's

    response = Client().get(reverse("calendar-feed", args=[tattooist.user.calendar_token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    text = _unfold(body)
    assert f"X-WR-TIMEZONE:{tattooist.timezone}" in text
    assert text.count("BEGIN:VEVENT") == 2
    assert f"UID:booking-{confirmed.pk}@" in text
    assert f"UID:booking-{completed.pk}@" in text
    assert f"booking-{cancelled.pk}@" not in text
    assert f"booking-{expired.pk}@" not in text
    # On the artist's clock, with its zone (the session's own zone: docs/i18n.md, "Times").
    local = slot.astimezone(ZoneInfo(tattooist.timezone))
    ends = local + timedelta(minutes=tattooist.session_minutes)
    assert f"DTSTART;TZID={tattooist.timezone}:{local.strftime('%Y%m%dT%H%M%S')}" in text
    assert f"DTEND;TZID={tattooist.timezone}:{ends.strftime('%Y%m%dT%H%M%S')}" in text
    assert f"BEGIN:VTIMEZONE\r\nTZID:{tattooist.timezone}" in text
    assert "Koi\\, left arm\\; big" in text
    # The UID is stable from one fetch to the next.
    again = _unfold(Client().get(reverse("calendar-feed", args=[tattooist.user.calendar_token])).content.decode())
    assert re.findall(r"UID:[^\r]+", again) == re.findall(r"UID:[^\r]+", text)


@pytest.mark.parametrize(
    "note",
    [
        "x\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:injected\rDTSTART:20300101T000000Z",
        "x\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected",
        "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected",
        "commas, semicolons; a backslash \\ and a literal \\n, END:VEVENT",
        "non-BMP \U0001f409\U0001d11e and \u041c\u043e\u043d\u0433\u043e\u043b " * 8,
    ],
    ids=["cr", "lf", "crlf", "punctuation", "non-bmp"],
)
def test_a_customer_note_stays_text_inside_its_own_calendar_event(tattooist, note):
    """ICS injection (docs/security.md): whatever a customer writes cannot end the event or add one."""
    import icalendar

    slot = timezone.now().replace(microsecond=0, second=0) + timedelta(days=5)
    booking = BookingFactory(tattooist=tattooist, status="confirmed", slot=slot, notes=note)
    booking.customer.name = "Eve\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:from the name"
    booking.customer.save(update_fields=["name"])
    raw = Client().get(reverse("calendar-feed", args=[tattooist.user.calendar_token])).content
    body = raw.decode()  # also: no UTF-8 character was cut by a fold
    # Every line break is CRLF; no lone CR or LF that a calendar app could take for one.
    assert "\r" not in body.replace("\r\n", "")
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = re.split(r"\r\n|\r|\n", _unfold(body))
    assert lines.count("BEGIN:VEVENT") == 1
    assert not any(line.startswith(("SUMMARY:injected", "SUMMARY:from the name", "DTSTART:2030")) for line in lines)
    events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["UID"]).startswith(f"booking-{booking.pk}@")
    assert note.replace("\r\n", "\n").replace("\r", "\n").strip() in str(events[0]["DESCRIPTION"])
    assert events[0]["DTSTART"].dt == slot


def test_a_wrong_or_rotated_calendar_token_is_a_404(tattooist):
    old = tattooist.user.calendar_token
    assert Client().get(reverse("calendar-feed", args=["not-the-token"])).status_code == 404
    response = logged_in(tattooist.user).post(reverse("calendar-rotate"))
    assert response.status_code == 302
    tattooist.user.refresh_from_db()
    assert tattooist.user.calendar_token != old
    assert Client().get(reverse("calendar-feed", args=[old])).status_code == 404
    assert Client().get(reverse("calendar-feed", args=[tattooist.user.calendar_token])).status_code == 200
