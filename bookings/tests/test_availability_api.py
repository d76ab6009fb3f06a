from __future__ import annotations

import pytest

from accounts.tests.factories import TattooistFactory
from bookings.models import Availability, TimeOff
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def add(artist, day, start, end):
    return client_for(artist.user).post(
        "/api/availability", {"day": day, "startTime": start, "endTime": end}, format="json"
    )


def test_an_artist_adds_several_windows_a_day(tattooist, api_client):
    morning = add(tattooist, 1, "09:00", "12:00")
    afternoon = add(tattooist, 1, "12:00", "17:30")  # touching is not overlapping

    assert (morning.status_code, afternoon.status_code) == (201, 201)
    assert morning.json() == {"id": morning.json()["id"], "day": 1, "startTime": "09:00", "endTime": "12:00"}
    response = api_client.get(f"/api/availability/{tattooist.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "timezone": "Asia/Ulaanbaatar",
        "windows": [
            {"id": morning.json()["id"], "day": 1, "startTime": "09:00", "endTime": "12:00"},
            {"id": afternoon.json()["id"], "day": 1, "startTime": "12:00", "endTime": "17:30"},
        ],
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"day": 1, "startTime": "11:00", "endTime": "13:00"}, "startTime"),  # overlaps 10-12
        ({"day": 1, "startTime": "09:00", "endTime": "19:00"}, "startTime"),  # contains it
        ({"day": 2, "startTime": "12:00", "endTime": "12:00"}, "endTime"),
        ({"day": 2, "startTime": "14:00", "endTime": "12:00"}, "endTime"),
        ({"day": 7, "startTime": "10:00", "endTime": "12:00"}, "day"),
        ({"day": -1, "startTime": "10:00", "endTime": "12:00"}, "day"),
        ({"day": 2, "startTime": "25:00", "endTime": "26:00"}, "startTime"),
    ],
)
def test_it_refuses_bad_or_overlapping_windows(tattooist, body, field):
    add(tattooist, 1, "10:00", "12:00")

    response = client_for(tattooist.user).post("/api/availability", body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert Availability.objects.count() == 1


def test_another_artists_window_on_the_same_day_is_no_overlap(tattooist, other_tattooist):
    add(tattooist, 1, "10:00", "12:00")

    assert add(other_tattooist, 1, "10:00", "12:00").status_code == 201


def test_only_the_owner_deletes_a_window(tattooist, other_tattooist, customer):
    window_id = add(tattooist, 1, "10:00", "12:00").json()["id"]

    assert client_for(other_tattooist.user).delete(f"/api/availability/{window_id}").status_code == 403
    assert client_for(customer).delete(f"/api/availability/{window_id}").status_code == 403
    assert client_for(tattooist.user).delete("/api/availability/999999").status_code == 404
    assert client_for(tattooist.user).delete(f"/api/availability/{window_id}").status_code == 204
    assert not Availability.objects.exists()


def test_customers_cannot_add_windows_and_unapproved_artists_hours_are_private(customer, api_client):
    hidden = TattooistFactory(approved=False, approved_at=None)
    add(hidden, 1, "10:00", "12:00")

    response = client_for(customer).post(
        "/api/availability", {"day": 1, "startTime": "10:00", "endTime": "12:00"}, format="json"
    )
    assert response.status_code == 403
    assert api_client.get(f"/api/availability/{hidden.pk}").status_code == 404
    assert client_for(hidden.user).get(f"/api/availability/{hidden.pk}").status_code == 200
    assert api_client.get("/api/availability/999999").status_code == 404


def test_time_off_is_created_listed_upcoming_first_and_deleted_by_its_owner(frozen, tattooist, other_tattooist):
    client = client_for(tattooist.user)
    later = client.post(
        "/api/time-off", {"startsAt": "2026-07-01T00:00:00+08:00", "endsAt": "2026-07-10T00:00:00+08:00"}, format="json"
    )
    sooner = client.post(
        "/api/time-off",
        {"startsAt": "2026-06-10T00:00:00Z", "endsAt": "2026-06-11T00:00:00Z", "reason": "convention"},
        format="json",
    )
    TimeOff.objects.create(tattooist=tattooist, starts_at="2026-05-01T00:00Z", ends_at="2026-05-02T00:00Z")
    TimeOff.objects.create(tattooist=other_tattooist, starts_at="2026-06-05T00:00Z", ends_at="2026-06-06T00:00Z")

    assert (later.status_code, sooner.status_code) == (201, 201)
    assert later.json()["startsAt"] == "2026-06-30T16:00:00Z"
    listed = client.get("/api/time-off").json()["results"]
    assert [t["reason"] for t in listed][:2] == ["convention", ""]
    assert [t["startsAt"][:10] for t in listed] == ["2026-06-10", "2026-06-30", "2026-05-01"]

    assert client_for(other_tattooist.user).delete(f"/api/time-off/{sooner.json()['id']}").status_code == 403
    assert client.delete("/api/time-off/999999").status_code == 404
    assert client.delete(f"/api/time-off/{sooner.json()['id']}").status_code == 204
    assert TimeOff.objects.filter(tattooist=tattooist).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"startsAt": "2026-07-01T00:00:00", "endsAt": "2026-07-02T00:00:00+08:00"}, "startsAt"),
        ({"startsAt": "2026-07-02T00:00:00Z", "endsAt": "2026-07-01T00:00:00Z"}, "endsAt"),
        ({"startsAt": "2026-07-01T00:00:00Z"}, "endsAt"),
    ],
)
def test_it_refuses_bad_time_off(tattooist, body, field):
    response = client_for(tattooist.user).post("/api/time-off", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_time_off_is_for_artists_only(customer, api_client):
    assert client_for(customer).get("/api/time-off").status_code == 403
    assert api_client.get("/api/time-off").status_code == 401
