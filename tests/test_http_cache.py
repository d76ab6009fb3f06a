"""Anonymous public reads are cached (ETag, 304, rendered answers) and never stale after a write."""

from __future__ import annotations

import pytest

from accounts.tests.factories import TattooistFactory
from conftest import client_for
from portfolio.models import PortfolioItem
from tattoo import http_cache

pytestmark = pytest.mark.django_db


def item(tattooist, **fields) -> PortfolioItem:
    n = PortfolioItem.objects.count()
    return PortfolioItem.objects.create(
        tattooist=tattooist, image_url=f"https://img.test/{n}.png", image_key=f"k/{tattooist.pk}/{n}", **fields
    )


def test_an_anonymous_portfolio_read_carries_a_public_etag_and_revalidates_to_304(api_client, tattooist):
    item(tattooist, description="first")
    first = api_client.get(f"/api/portfolio/{tattooist.pk}")
    assert first.status_code == 200
    assert first["Cache-Control"].startswith("public, max-age=")
    etag = first["ETag"]
    again = api_client.get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""


def test_a_portfolio_write_changes_the_etag_and_the_next_read(api_client, tattooist):
    existing = item(tattooist, description="before")
    etag = api_client.get(f"/api/portfolio/{tattooist.pk}")["ETag"]
    existing.description = "after"
    existing.save()
    fresh = api_client.get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    assert fresh.json()["results"][0]["description"] == "after"


def test_an_edit_through_the_api_is_seen_by_the_next_anonymous_read(api_client, tattooist):
    existing = item(tattooist, description="before")
    etag = api_client.get(f"/api/portfolio/{tattooist.pk}")["ETag"]
    patched = client_for(tattooist.user).patch(f"/api/portfolio/{existing.pk}", {"description": "after"}, format="json")
    assert patched.status_code == 200
    plain = api_client.get(f"/api/portfolio/{tattooist.pk}")
    assert plain.json()["results"][0]["description"] == "after"
    assert api_client.get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH=etag).status_code == 200
    deleted = client_for(tattooist.user).delete(f"/api/portfolio/{existing.pk}")
    assert deleted.status_code == 204
    assert api_client.get(f"/api/portfolio/{tattooist.pk}").json()["count"] == 0


def test_the_artist_list_follows_tags_names_and_approval(api_client, tattooist):
    first = api_client.get("/api/tattooists?style=koi")
    assert first.json()["count"] == 0
    item(tattooist, style_tags=["koi"])
    assert [a["id"] for a in api_client.get("/api/tattooists?style=koi").json()["results"]] == [tattooist.pk]
    tattooist.user.name = "Renamed Artist"
    tattooist.user.save()
    assert api_client.get("/api/tattooists?style=koi").json()["results"][0]["name"] == "Renamed Artist"
    tattooist.approved = False
    tattooist.save()
    assert api_client.get("/api/tattooists?style=koi").json()["count"] == 0
    assert api_client.get(f"/api/portfolio/{tattooist.pk}").status_code == 404


def test_a_login_does_not_invalidate_the_catalog(api_client, tattooist):
    etag = api_client.get("/api/tattooists")["ETag"]
    tattooist.user.save(update_fields=["last_login"])
    assert api_client.get("/api/tattooists", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_one_artists_write_leaves_another_artists_portfolio_etag_alone(api_client, tattooist, other_tattooist):
    etag = api_client.get(f"/api/portfolio/{other_tattooist.pk}")["ETag"]
    item(tattooist)
    assert api_client.get(f"/api/portfolio/{other_tattooist.pk}", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_authenticated_reads_bypass_the_cache_and_stay_private(tattooist, customer):
    response = client_for(customer).get(f"/api/portfolio/{tattooist.pk}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert not response.has_header("ETag")


def test_the_etag_differs_per_query_and_page(api_client):
    TattooistFactory(approved=True)
    a = api_client.get("/api/tattooists?style=koi")["ETag"]
    b = api_client.get("/api/tattooists?style=rose")["ETag"]
    c = api_client.get("/api/tattooists?page=1&pageSize=5")["ETag"]
    assert len({a, b, c}) == 3


def test_a_rendered_answer_is_reused_only_under_the_same_versions(api_client, tattooist):
    item(tattooist, description="one")
    api_client.get(f"/api/portfolio/{tattooist.pk}")
    assert len(http_cache.rendered.items) == 1
    api_client.get(f"/api/portfolio/{tattooist.pk}")
    assert len(http_cache.rendered.items) == 1
    item(tattooist, description="two")
    body = api_client.get(f"/api/portfolio/{tattooist.pk}").json()
    assert body["count"] == 2
    assert len(http_cache.rendered.items) == 2


def test_errors_are_not_cached(api_client):
    assert api_client.get("/api/portfolio/999999").status_code == 404
    assert api_client.get("/api/tattooists?style=" + "x" * 40).status_code == 400
    assert len(http_cache.rendered.items) == 0


def test_weekly_hours_are_cached_and_follow_writes(api_client, tattooist):
    artist = client_for(tattooist.user)
    first = api_client.get(f"/api/availability/{tattooist.pk}")
    assert first.json()["windows"] == []
    created = artist.post("/api/availability", {"day": 1, "startTime": "10:00", "endTime": "18:00"}, format="json")
    assert created.status_code == 201
    fresh = api_client.get(f"/api/availability/{tattooist.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert [w["startTime"] for w in fresh.json()["windows"]] == ["10:00"]
    assert artist.delete(f"/api/availability/{created.json()['id']}").status_code == 204
    assert api_client.get(f"/api/availability/{tattooist.pk}").json()["windows"] == []


# --- the fast path for repeat anonymous reads (tattoo/middleware.PublicCacheFastPathMiddleware) ---


def _headers(response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.items()}


@pytest.mark.parametrize("kind", ["portfolio", "tattooists", "availability"])
def test_a_repeat_read_carries_exactly_the_headers_of_the_full_answer(api_client, tattooist, kind):
    path = {"tattooists": "/api/tattooists"}.get(kind, f"/api/{kind}/{tattooist.pk}")
    first = api_client.get(path)
    again = api_client.get(path)
    assert again.status_code == 200
    assert again.content == first.content
    assert _headers(again) == _headers(first)
    for header in ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Content-Security-Policy", "Allow"):
        assert again.has_header(header)


def test_a_fast_304_carries_the_security_headers_and_no_body(api_client, tattooist):
    first = api_client.get(f"/api/portfolio/{tattooist.pk}")
    not_modified = api_client.get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"]
    assert not_modified["Cache-Control"] == first["Cache-Control"]
    assert not_modified["Vary"] == first["Vary"]
    assert not_modified["X-Content-Type-Options"] == "nosniff"
    assert not_modified["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in not_modified["Content-Security-Policy"]


def test_a_write_after_repeat_reads_is_seen_by_the_very_next_read(api_client, tattooist):
    existing = item(tattooist, description="before")
    for _ in range(3):
        assert api_client.get(f"/api/portfolio/{tattooist.pk}").json()["results"][0]["description"] == "before"
    existing.description = "after"
    existing.save()
    assert api_client.get(f"/api/portfolio/{tattooist.pk}").json()["results"][0]["description"] == "after"


def test_requests_with_credentials_never_get_the_anonymous_answer(api_client, client, tattooist, customer):
    api_client.get(f"/api/portfolio/{tattooist.pk}")
    etag = api_client.get(f"/api/portfolio/{tattooist.pk}")["ETag"]
    bearer = client_for(customer).get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH=etag)
    assert bearer.status_code == 200
    assert bearer["Cache-Control"] == "private, no-store"
    client.force_login(customer)
    session = client.get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH=etag)
    assert session.status_code == 200
    assert session["Cache-Control"] == "private, no-store"


def test_a_repeat_read_still_writes_the_request_log_line(api_client, tattooist, caplog):
    api_client.get(f"/api/availability/{tattooist.pk}")
    caplog.clear()
    with caplog.at_level("INFO", logger="inkbook.request"):
        assert api_client.get(f"/api/availability/{tattooist.pk}").status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "inkbook.request"]
    assert len(lines) == 1
    assert f"path=/api/availability/{tattooist.pk} status=200" in lines[0]
    assert "user_id=-" in lines[0]


def _slots(client, tattooist, **headers):
    return client.get(f"/api/tattooists/{tattooist.pk}/slots", **headers)


def test_a_booked_slot_leaves_the_cached_slot_list_at_once_and_comes_back_when_cancelled(
    api_client, tattooist, customer
):
    from bookings.tests.factories import AvailabilityFactory

    for day in range(7):
        AvailabilityFactory(tattooist=tattooist, day=day)
    first = _slots(api_client, tattooist)
    assert first.status_code == 200
    assert first["Cache-Control"].startswith("public, max-age=")
    etag, start = first["ETag"], first.json()["slots"][0]["start"]
    assert _slots(api_client, tattooist, HTTP_IF_NONE_MATCH=etag).status_code == 304
    created = client_for(customer).post(
        "/api/bookings", {"tattooistId": tattooist.pk, "slot": start, "depositAmount": "50000"}, format="json"
    )
    assert created.status_code == 201, created.json()
    after = _slots(api_client, tattooist, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert start not in [s["start"] for s in after.json()["slots"]]
    cancelled = client_for(customer).patch(
        f"/api/bookings/{created.json()['id']}", {"status": "cancelled"}, format="json"
    )
    assert cancelled.status_code == 200
    assert start in [s["start"] for s in _slots(api_client, tattooist).json()["slots"]]


def test_time_off_leaves_the_cached_slot_list_at_once(api_client, tattooist):
    from datetime import timedelta

    from django.utils.dateparse import parse_datetime

    from bookings.models import TimeOff
    from bookings.tests.factories import AvailabilityFactory

    for day in range(7):
        AvailabilityFactory(tattooist=tattooist, day=day)
    start = parse_datetime(_slots(api_client, tattooist).json()["slots"][0]["start"])
    TimeOff.objects.create(tattooist=tattooist, starts_at=start, ends_at=start + timedelta(days=1))
    starts = [parse_datetime(s["start"]) for s in _slots(api_client, tattooist).json()["slots"]]
    assert all(s >= start + timedelta(days=1) for s in starts)


def test_the_slot_etag_moves_with_the_clock_without_any_write(api_client, tattooist):
    import time_machine
    from django.utils import timezone

    from bookings.tests.factories import AvailabilityFactory

    AvailabilityFactory(tattooist=tattooist, day=1)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        etag = _slots(api_client, tattooist)["ETag"]
        assert _slots(api_client, tattooist, HTTP_IF_NONE_MATCH=etag).status_code == 304
        clock.shift(61)
        assert _slots(api_client, tattooist, HTTP_IF_NONE_MATCH=etag).status_code == 200
