"""A session at 14:00 on its artist's clock reads 14:00 everywhere a person sees it: the customer's
and the artist's pages, the mails and the calendar invite, in Mongolian and English, the zone
named as a person says it, never UTC or an IANA code (docs/i18n.md, "Times"). An artist in Berlin
gets 14:00 in summer (CEST, UTC+2) and in winter (CET, UTC+1) alike."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings import notices
from bookings.models import BookingStatus, PaymentStatus
from bookings.tests.factories import BookingFactory
from notifications.models import Outbox

pytestmark = pytest.mark.django_db

ZONE_NAMES = {
    "Asia/Ulaanbaatar": {"mn": "Улаанбаатарын цагаар", "en": "Ulaanbaatar time"},
    "Europe/Berlin": {"mn": "Төв Европын цагаар", "en": "Berlin time"},
}
NOT_SHOWN = re.compile(r"\bUTC\b|Asia/|Europe/")


def two_pm(zone: str, *, month: int | None = None) -> datetime:
    """14:00 on the artist's clock on a day ahead of today (in `month` of next year if given)."""
    tz = ZoneInfo(zone)
    if month is None:
        day = (timezone.now() + timedelta(days=10)).astimezone(tz).date()
        return datetime(day.year, day.month, day.day, 14, 0, tzinfo=tz)
    return datetime(timezone.now().year + 1, month, 10, 14, 0, tzinfo=tz)


CASES = [
    pytest.param("Asia/Ulaanbaatar", None, id="ulaanbaatar"),
    pytest.param("Europe/Berlin", 7, id="berlin-summer"),
    pytest.param("Europe/Berlin", 12, id="berlin-winter"),
]


def booking_at(zone: str, month: int | None, language: str):
    artist = TattooistFactory(timezone=zone, user__name="Оюука")
    artist.user.language = language
    artist.user.save(update_fields=["language"])
    customer = CustomerFactory(name="Болор", language=language)
    slot = two_pm(zone, month=month)
    return BookingFactory(customer=customer, tattooist=artist, slot=slot, hold_expires_at=slot - timedelta(days=1))


def text(html: str) -> str:
    """What a person reads: no tags (a `datetime` attribute is UTC on purpose)."""
    return re.sub(r"<[^>]+>", "", html)


def page(user, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)  # the user's saved language beats the client's Accept-Language
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["mn", "en"])
@pytest.mark.parametrize(("zone", "month"), CASES)
def test_the_customers_and_the_artists_pages_show_14_00_with_the_zone_named(zone, month, language):
    booking = booking_at(zone, month, language)
    utc_hour = booking.slot.astimezone(ZoneInfo("UTC")).strftime("%H:%M")
    assert utc_hour != "14:00"
    name = ZONE_NAMES[zone][language]
    customer, artist = booking.customer, booking.tattooist.user

    for user in (customer, artist):
        html = page(user, f"/bookings/{booking.pk}/")
        when = re.search(r'data-testid="booking-when">(.*?)</dd>', html, re.S).group(1)
        assert re.search(r">[^<]*\b14:00[^<]*</time>", when), when
        assert f"({name})" in when
        assert utc_hour not in text(when)
        assert not NOT_SHOWN.search(re.sub(r'(datetime|data-zone|data-end)="[^"]*"', "", html))

    row = re.search(r'<tr data-testid="booking-row">.*?</tr>', page(customer, "/bookings/"), re.S).group(0)
    assert "14:00" in text(row)
    assert f"({name})" in row
    assert utc_hour not in text(row)

    dashboard = page(artist, "/dashboard/")
    row = re.search(r'<tr data-testid="upcoming-booking".*?</tr>', dashboard, re.S).group(0)
    assert re.search(r">[^<]*\b14:00</time>", row), row
    assert f"({name})" in dashboard  # the column's heading names the zone once


@pytest.mark.parametrize("language", ["mn", "en"])
@pytest.mark.parametrize(("zone", "month"), CASES)
def test_the_mails_and_the_invite_say_14_00_with_the_zone_named(zone, month, language):
    booking = booking_at(zone, month, language)
    name = ZONE_NAMES[zone][language]
    notices.booking_created(booking)
    booking.status, booking.payment_status = BookingStatus.CONFIRMED, PaymentStatus.PAID
    booking.hold_expires_at = None
    booking.save(update_fields=["status", "payment_status", "hold_expires_at"])
    notices.booking_moved(booking, from_status=BookingStatus.PENDING, from_pay=PaymentStatus.UNPAID)

    rows = Outbox.objects.filter(kind__startswith="booking_")
    assert {r.kind for r in rows} == {
        "booking_created_customer",
        "booking_created_artist",
        "booking_confirmed_customer",
        "booking_confirmed_artist",
    }
    for row in rows:
        assert row.language == language
        assert f"14:00 ({name})" in row.body_text, (row.kind, row.body_text)
        if row.kind != "booking_created_customer":  # that subject names the hold's end, a day before
            assert row.subject.endswith("14:00"), row.subject
        assert not NOT_SHOWN.search(row.subject + row.body_text), (row.kind, row.subject)
    for row in rows.filter(kind__startswith="booking_confirmed"):
        [event] = icalendar.Calendar.from_ical(row.attachments[0]["content"]).walk("VEVENT")
        assert event["DTSTART"].params["TZID"] == zone
        assert event["DTSTART"].dt.strftime("%H:%M") == "14:00"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("visitor_zone", "beside"),
    [("Europe/Berlin", "07:00–09:00"), ("Asia/Shanghai", None)],  # another offset / the same offset
    ids=["another-clock", "same-clock"],
)
def test_the_visitors_own_time_shows_beside_only_when_their_clock_reads_differently(
    new_page, site_url, visitor_zone, beside
):
    booking = booking_at("Asia/Ulaanbaatar", 12, "en")  # 14:00 in Ulaanbaatar is 07:00 in Berlin (CET)
    page = new_page(timezone_id=visitor_zone)
    client = Client()
    client.force_login(booking.customer)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site_url}])
    page.goto(f"/bookings/{booking.pk}/")
    when = page.get_by_test_id("booking-when")
    assert "14:00–16:00" in when.inner_text()
    page.wait_for_load_state("load")  # app.js has run (deferred scripts, then DOMContentLoaded)
    if beside is None:
        assert when.locator("[data-testid=visitor-time]").count() == 0
    else:
        shown = when.locator("[data-testid=visitor-time]").inner_text()
        assert beside in shown
        assert "your time" in shown
