from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.models import Availability, BookingStatus, TimeOff
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import open_every_day
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def slots(client, artist, **params):
    return client.get(f"/api/tattooists/{artist.pk}/slots", params)


def starts(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [s["start"] for s in response.json()["slots"]]


def local_starts(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [s["localStart"] for s in response.json()["slots"]]


def test_it_lists_every_half_hour_start_whose_session_fits_in_ulaanbaatar(frozen, api_client, open_artist):
    response = slots(api_client, open_artist, **{"from": "2026-06-03", "to": "2026-06-03"})

    body = response.json()
    assert body["timezone"] == "Asia/Ulaanbaatar"
    assert body["sessionMinutes"] == 120
    # 10:00-18:00 local with 2-hour sessions: 10:00, 10:30, ..., 16:00 (13 starts).
    assert (
        local_starts(response) == [f"2026-06-03T{h:02d}:{m:02d}:00+08:00" for h in range(10, 17) for m in (0, 30)][:13]
    )
    assert starts(response)[0] == "2026-06-03T02:00:00Z"
    assert starts(response)[-1] == "2026-06-03T08:00:00Z"


def test_active_bookings_and_time_off_remove_slots_but_cancelled_and_expired_do_not(frozen, api_client, open_artist):
    noon = datetime(2026, 6, 3, 4, tzinfo=UTC)  # 12:00 local
    BookingFactory(tattooist=open_artist, slot=noon, ends_at=noon + timedelta(hours=2))
    for status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED):
        BookingFactory(tattooist=open_artist, slot=noon + timedelta(hours=2), status=status)
    TimeOff.objects.create(tattooist=open_artist, starts_at=noon + timedelta(hours=5), ends_at=noon + timedelta(days=1))

    response = slots(api_client, open_artist, **{"from": "2026-06-03", "to": "2026-06-03"})

    # 10:00 ends as the booking starts; 14:00 starts as it ends; time off from 17:00 leaves 14:00-15:00.
    assert [s[11:16] for s in local_starts(response)] == ["10:00", "14:00", "14:30", "15:00"]


def test_it_honours_minimum_notice_and_horizon(api_client, open_artist):
    with time_machine.travel(datetime(2026, 6, 3, 3, 10, tzinfo=UTC), tick=False):  # 11:10 local
        today = local_starts(slots(api_client, open_artist, **{"from": "2026-06-03", "to": "2026-06-03"}))
        # notice is two hours: 13:10 local is the earliest start, so 13:30 is the first.
        assert today[0] == "2026-06-03T13:30:00+08:00"

        far = slots(api_client, open_artist, **{"from": "2026-08-20", "to": "2026-09-10"})
        last = starts(far)[-1]
        assert datetime.fromisoformat(last) <= datetime(2026, 6, 3, 3, 10, tzinfo=UTC) + timedelta(days=90)
        assert last.startswith("2026-09-01")  # the horizon ends on 1 September, 03:10Z


def test_berlin_keeps_local_wall_clock_across_both_dst_changes(api_client):
    artist = TattooistFactory(timezone="Europe/Berlin", session_minutes=120)
    open_every_day(artist, start=time(10), end=time(12))  # exactly one session a day
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        spring = slots(api_client, artist, **{"from": "2026-03-28", "to": "2026-03-30"})
    with time_machine.travel(datetime(2026, 10, 1, tzinfo=UTC), tick=False):
        autumn = slots(api_client, artist, **{"from": "2026-10-24", "to": "2026-10-26"})

    assert starts(spring) == ["2026-03-28T09:00:00Z", "2026-03-29T08:00:00Z", "2026-03-30T08:00:00Z"]
    assert local_starts(spring) == [
        "2026-03-28T10:00:00+01:00",
        "2026-03-29T10:00:00+02:00",
        "2026-03-30T10:00:00+02:00",
    ]
    assert starts(autumn) == ["2026-10-24T08:00:00Z", "2026-10-25T09:00:00Z", "2026-10-26T09:00:00Z"]


def test_a_berlin_window_over_the_spring_gap_is_one_real_hour_shorter(api_client):
    artist = TattooistFactory(timezone="Europe/Berlin", session_minutes=60)
    Availability.objects.create(tattooist=artist, day=0, start_time=time(1), end_time=time(5))  # Sunday 01-05
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        response = slots(api_client, artist, **{"from": "2026-03-29", "to": "2026-03-29"})

    # 02:00-03:00 does not exist that night: three real hours, and no start inside the gap.
    assert local_starts(response) == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:30:00+02:00",
        "2026-03-29T04:00:00+02:00",
    ]


def test_a_berlin_window_over_the_autumn_change_offers_the_repeated_hour_once_per_instant(api_client):
    artist = TattooistFactory(timezone="Europe/Berlin", session_minutes=60)
    Availability.objects.create(tattooist=artist, day=0, start_time=time(1), end_time=time(4))  # Sunday 01-04
    with time_machine.travel(datetime(2026, 10, 1, tzinfo=UTC), tick=False):
        response = slots(api_client, artist, **{"from": "2026-10-25", "to": "2026-10-25"})

    assert starts(response) == [
        "2026-10-24T23:00:00Z",
        "2026-10-24T23:30:00Z",
        "2026-10-25T00:00:00Z",
        "2026-10-25T00:30:00Z",
        "2026-10-25T01:00:00Z",
        "2026-10-25T01:30:00Z",
        "2026-10-25T02:00:00Z",
    ]
    assert local_starts(response)[2:5] == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:00:00+01:00",
    ]


def test_every_offered_slot_can_be_booked(frozen, api_client, open_artist, customer):
    offered = starts(slots(api_client, open_artist, **{"from": "2026-06-03", "to": "2026-06-03"}))

    for i, start in enumerate(offered[::4]):  # non-overlapping ones: every 4th start is 2 hours apart
        who = customer if i < 2 else CustomerFactory()
        response = client_for(who).post(
            "/api/bookings", {"tattooistId": open_artist.pk, "slot": start, "depositAmount": 50000}, format="json"
        )
        assert response.status_code == 201, response.json()
    assert starts(slots(api_client, open_artist, **{"from": "2026-06-03", "to": "2026-06-03"})) == []


@pytest.mark.parametrize("days", [1, 62])
def test_the_query_count_does_not_grow_with_the_range(
    frozen, api_client, open_artist, django_assert_max_num_queries, days
):
    for d in range(0, days, 3):
        BookingFactory(tattooist=open_artist, slot=datetime(2026, 6, 3, 4, tzinfo=UTC) + timedelta(days=d))
    TimeOff.objects.create(
        tattooist=open_artist,
        starts_at=datetime(2026, 6, 10, tzinfo=UTC),
        ends_at=datetime(2026, 6, 12, tzinfo=UTC),
    )
    start = datetime(2026, 6, 2, tzinfo=UTC)
    params = {"from": start.isoformat(), "to": (start + timedelta(days=days)).isoformat()}

    # the public cache's version lookup, artist, windows, bookings + time off (one UNION ALL)
    with django_assert_max_num_queries(4):
        response = slots(api_client, open_artist, **params)

    assert len(starts(response)) > 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-06-03T10:00:00", "to": "2026-06-04"}, "from"),  # no offset
        ({"from": "2026-06-03", "to": "yesterday"}, "to"),
        ({"from": "2026-06-05", "to": "2026-06-03"}, "to"),
        ({"from": "2026-06-01", "to": "2026-08-02"}, "to"),  # 63 days
    ],
)
def test_it_refuses_bad_ranges_with_400(frozen, api_client, open_artist, params, field):
    response = slots(api_client, open_artist, **params)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_62_days_is_allowed(frozen, api_client, open_artist):
    response = slots(api_client, open_artist, **{"from": "2026-06-01", "to": "2026-08-01"})

    assert response.status_code == 200


def test_an_unencoded_plus_offset_is_understood(frozen, api_client, open_artist):
    response = api_client.get(
        f"/api/tattooists/{open_artist.pk}/slots?from=2026-06-03T10:00:00+08:00&to=2026-06-03T13:00:00+08:00"
    )

    # `to` bounds the start times (exclusive), not the session ends.
    assert [s[11:16] for s in local_starts(response)] == ["10:00", "10:30", "11:00", "11:30", "12:00", "12:30"]


def test_unknown_or_unapproved_artists_have_no_slots(frozen, api_client):
    hidden = TattooistFactory(approved=False, approved_at=None)
    open_every_day(hidden)

    assert api_client.get(f"/api/tattooists/{hidden.pk}/slots").status_code == 404
    assert api_client.get("/api/tattooists/999999/slots").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["?from=9999-12-31", "?from=0001-01-01", "?to=9999-12-31T00:00:00Z", "?from=2026-02-30"],
)
def test_far_off_or_impossible_dates_are_a_400(frozen, api_client, open_artist, query):
    assert api_client.get(f"/api/tattooists/{open_artist.pk}/slots{query}").status_code == 400


@pytest.mark.parametrize("query", ["?q=%00", "?style=%00", "?style=" + "x" * 33])
def test_unusable_search_text_is_a_400(api_client, query):
    assert api_client.get(f"/api/tattooists{query}").status_code == 400


def test_the_answer_is_byte_for_byte_what_the_camel_case_renderer_gave(frozen, api_client, open_artist):
    from zoneinfo import ZoneInfo

    from djangorestframework_camel_case.render import CamelCaseJSONRenderer

    response = slots(api_client, open_artist, **{"from": "2026-06-03", "to": "2026-06-05"})
    assert response["Content-Type"] == "application/json"
    tz = ZoneInfo("Asia/Ulaanbaatar")
    parsed = [datetime.fromisoformat(s.replace("Z", "+00:00")) for s in starts(response)]
    assert len(parsed) == 39
    expected = CamelCaseJSONRenderer().render(
        {
            "timezone": "Asia/Ulaanbaatar",
            "session_minutes": 120,
            "slots": [
                {"start": s.isoformat().replace("+00:00", "Z"), "local_start": s.astimezone(tz).isoformat()}
                for s in parsed
            ],
        }
    )
    assert response.content == expected
