"""availableFrom/availableTo and nextAvailable: the slot rule of bookings.selectors over many artists
(each artist's own zone, holds and time off respected, DST and days that end after UTC midnight)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from accounts.tests.factories import TattooistFactory
from bookings.models import BookingStatus, TimeOff
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import NOW
from bookings.tests.helpers import open_every_day as open_days
from search.tests.helpers import listed

pytestmark = pytest.mark.django_db

TUESDAY = "2026-06-02"  # NOW is Monday 1 June 2026, 08:00 in Ulaanbaatar


def ub(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant on June `day` 2026 at hour:minute in Ulaanbaatar (UTC+8)."""
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def free_on(client, first: str, last: str | None = None, **params) -> list[int]:
    return sorted(listed(client, availableFrom=first, availableTo=last or first, **params))


def test_only_artists_with_a_bookable_start_that_day_are_listed(frozen, api_client):
    free, booked, away, held, closed = (TattooistFactory(session_minutes=120) for _ in range(5))
    for artist in (free, booked, away, held):
        open_days(artist, days=[2], start=time(10), end=time(14))  # Tuesdays 10:00-14:00: 10:00 ... 12:00
    open_days(closed, days=[3])
    # booked: a confirmed booking 10:00-12:00 and another 12:00-14:00 leave no room for two hours
    BookingFactory(tattooist=booked, slot=ub(2, 10), status=BookingStatus.CONFIRMED)
    BookingFactory(tattooist=booked, slot=ub(2, 12), status=BookingStatus.CONFIRMED)
    # away: time off over the whole window
    TimeOff.objects.create(tattooist=away, starts_at=ub(2, 9), ends_at=ub(2, 15))
    # held: an unpaid pending hold blocks like a booking; a cancelled and an expired one do not
    BookingFactory(tattooist=held, slot=ub(2, 11), status=BookingStatus.PENDING)
    BookingFactory(tattooist=free, slot=ub(2, 10), status=BookingStatus.CANCELLED)
    BookingFactory(tattooist=free, slot=ub(2, 12), status=BookingStatus.EXPIRED)

    assert free_on(api_client, TUESDAY) == [free.pk]
    assert free_on(api_client, "2026-06-03") == [closed.pk]
    assert free_on(api_client, TUESDAY, "2026-06-03") == sorted([free.pk, closed.pk])
    # the next Tuesday everybody but the closed one is free again
    assert free_on(api_client, "2026-06-09") == sorted([free.pk, booked.pk, away.pk, held.pk])


def test_minimum_notice_and_the_past_count_as_not_free(frozen, api_client):
    today = TattooistFactory()
    open_days(today, days=[1], start=time(8), end=time(10, 30))  # Monday 08:00-10:30: all within the notice
    assert free_on(api_client, "2026-06-01") == []
    assert free_on(api_client, "2026-05-25") == []  # a past Monday
    assert free_on(api_client, "2026-06-08") == [today.pk]


def test_each_artist_is_read_in_their_own_zone_even_when_the_day_ends_after_utc_midnight(frozen, api_client):
    # Los Angeles is UTC-7 in June: Tuesday 20:00-23:59 there is Wednesday 03:00-06:59 UTC.
    la = TattooistFactory(timezone="America/Los_Angeles", session_minutes=60)
    open_days(la, days=[2], start=time(20), end=time(23, 59))
    # Auckland is UTC+12: Tuesday 06:00-09:00 there is Monday 18:00-21:00 UTC.
    akl = TattooistFactory(timezone="Pacific/Auckland", session_minutes=60)
    open_days(akl, days=[2], start=time(6), end=time(9))

    assert free_on(api_client, TUESDAY) == sorted([la.pk, akl.pk])
    assert free_on(api_client, "2026-06-03") == []  # Wednesday in UTC, but nobody's own Wednesday
    assert free_on(api_client, "2026-05-31", "2026-06-01") == []  # Monday in UTC, but Tuesday for Auckland

    # Time off that crosses the artist's midnight takes the late starts on both sides of it.
    TimeOff.objects.create(
        tattooist=la,
        starts_at=datetime(2026, 6, 3, 3, tzinfo=UTC),  # Tuesday 20:00 in Los Angeles
        ends_at=datetime(2026, 6, 3, 9, tzinfo=UTC),  # Wednesday 02:00
    )
    assert free_on(api_client, TUESDAY) == [akl.pk]
    items = {i["id"]: i for i in api_client.get("/api/tattooists").json()["results"]}
    assert items[la.pk]["nextAvailable"] == "2026-06-09T20:00:00-07:00"  # the Tuesday after, own offset
    assert items[akl.pk]["nextAvailable"] == "2026-06-02T06:00:00+12:00"


def test_berlin_has_no_two_oclock_on_the_spring_sunday_and_two_on_the_autumn_one(api_client):
    artist = TattooistFactory(timezone="Europe/Berlin", session_minutes=30)
    open_days(artist, days=[0], start=time(2), end=time(3))  # Sundays 02:00-03:00
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        assert free_on(api_client, "2026-03-29") == []  # 02:00-03:00 does not exist that night
        assert free_on(api_client, "2026-03-22") == [artist.pk]
        assert free_on(api_client, "2026-04-05") == [artist.pk]
    with time_machine.travel(datetime(2026, 10, 1, tzinfo=UTC), tick=False) as clock:
        assert free_on(api_client, "2026-10-25") == [artist.pk]  # the hour happens twice
        # booked from 02:00 CEST to 03:00 CET (two real hours): nothing left that night
        BookingFactory(
            tattooist=artist,
            slot=datetime(2026, 10, 25, 0, tzinfo=UTC),
            ends_at=datetime(2026, 10, 25, 2, tzinfo=UTC),
            status=BookingStatus.CONFIRMED,
        )
        clock.shift(300)  # the anonymous answer follows bookings within five minutes (docs/search.md)
        assert free_on(api_client, "2026-10-25") == []


def test_one_bound_alone_reads_as_the_31_days_from_it_or_up_to_it(frozen, api_client):
    late = TattooistFactory()
    open_days(late)
    TimeOff.objects.create(tattooist=late, starts_at=NOW, ends_at=ub(25, 0))  # away until 25 June
    assert listed(api_client, availableFrom="2026-06-01") == [late.pk]  # 1 June to 1 July
    assert listed(api_client, availableFrom="2026-05-01") == []  # 1 to 31 May
    assert listed(api_client, availableTo="2026-06-24") == []  # from today
    assert listed(api_client, availableTo="2026-06-25") == [late.pk]


def test_next_available_is_the_first_start_the_slot_api_offers(frozen, api_client):
    plain = TattooistFactory()
    open_days(plain, days=[3, 5], start=time(9), end=time(17))
    busy = TattooistFactory(timezone="Europe/Berlin", session_minutes=180)
    open_days(busy, start=time(8), end=time(20))
    for day in range(1, 5):
        BookingFactory(
            tattooist=busy,
            slot=datetime(2026, 6, day, 6, tzinfo=UTC),
            ends_at=datetime(2026, 6, day, 18, tzinfo=UTC),
            status=BookingStatus.CONFIRMED,
        )
    far = TattooistFactory()
    open_days(far)
    TimeOff.objects.create(tattooist=far, starts_at=NOW, ends_at=NOW + timedelta(days=61))
    never = TattooistFactory()

    items = {i["id"]: i["nextAvailable"] for i in api_client.get("/api/tattooists").json()["results"]}
    for artist in (plain, busy):
        slots = api_client.get(f"/api/tattooists/{artist.pk}/slots", {"to": "2026-07-30"}).json()["slots"]
        assert items[artist.pk] == slots[0]["localStart"]
    assert items[busy.pk] == "2026-06-05T08:00:00+02:00"
    assert items[far.pk] is None  # free only after 60 days
    assert items[never.pk] is None
