"""Anonymous public reads are cached (ETag, 304, rendered answers) and never stale after a write."""

from __future__ import annotations

import pytest

from accounts.tests.factories import TattooistFactory
from portfolio.models import PortfolioItem
from tattoo.core import http_cache
from testing.clients import client_for
from testing.wsgi import wsgi_get

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


def rendered_answers() -> int:
    """How many rendered answers the "public" cache holds (the suite runs it as a LocMemCache)."""
    from django.core.cache import caches

    return len(caches[http_cache.RENDERED_CACHE]._cache)


def test_a_rendered_answer_is_reused_only_under_the_same_versions(api_client, tattooist):
    item(tattooist, description="one")
    api_client.get(f"/api/portfolio/{tattooist.pk}")
    assert rendered_answers() == 1
    api_client.get(f"/api/portfolio/{tattooist.pk}")
    assert rendered_answers() == 1
    item(tattooist, description="two")
    body = api_client.get(f"/api/portfolio/{tattooist.pk}").json()
    assert body["count"] == 2
    assert rendered_answers() == 2


def test_errors_are_not_cached(api_client):
    assert api_client.get("/api/portfolio/999999").status_code == 404
    assert api_client.get("/api/tattooists?style=" + "x" * 40).status_code == 400
    assert rendered_answers() == 0


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


# --- the WSGI entry point: what a server sends for anonymous public reads ---------------------------


def _headers(response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.items()}


@pytest.mark.parametrize("kind", ["portfolio", "tattooists", "availability", "slots"])
def test_a_repeat_read_carries_exactly_the_headers_and_body_of_the_first(tattooist, kind):
    path = {
        "tattooists": "/api/tattooists",
        "slots": f"/api/tattooists/{tattooist.pk}/slots",
    }.get(kind, f"/api/{kind}/{tattooist.pk}")
    first = wsgi_get(path)
    assert first.status == 200
    again = wsgi_get(path)
    assert again.status == 200
    assert again.body == first.body
    assert again.headers == first.headers
    for header in ("x-content-type-options", "referrer-policy", "x-frame-options", "content-security-policy", "allow"):
        assert header in again.headers
    assert again.headers["content-length"] == str(len(again.body))


@pytest.mark.parametrize("kind", ["portfolio", "tattooists", "availability"])
def test_the_stack_answers_a_repeat_read_with_the_same_headers_as_the_first(api_client, tattooist, kind):
    path = {"tattooists": "/api/tattooists"}.get(kind, f"/api/{kind}/{tattooist.pk}")
    first = api_client.get(path)
    again = api_client.get(path)
    assert again.status_code == 200
    assert again.content == first.content
    assert _headers(again) == _headers(first)


def test_a_public_answer_lets_shared_caches_keep_it_and_browsers_revalidate(api_client, tattooist, settings):
    settings.PUBLIC_CACHE_S_MAXAGE, settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE = 7, 45
    for path in ["/api/tattooists", f"/api/portfolio/{tattooist.pk}", f"/api/availability/{tattooist.pk}"]:
        first = api_client.get(path)
        assert first["Cache-Control"] == "public, max-age=0, s-maxage=7, stale-while-revalidate=45", path
        again = api_client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, path
        assert again["Cache-Control"] == first["Cache-Control"], path


def test_a_304_carries_the_security_headers_and_no_body(tattooist):
    first = wsgi_get(f"/api/portfolio/{tattooist.pk}")
    not_modified = wsgi_get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH=first.headers["etag"])
    assert not_modified.status == 304
    assert not_modified.body == b""
    assert "content-type" not in not_modified.headers
    assert not_modified.headers["etag"] == first.headers["etag"]
    assert not_modified.headers["cache-control"] == first.headers["cache-control"]
    assert not_modified.headers["vary"] == first.headers["vary"]
    assert not_modified.headers["x-content-type-options"] == "nosniff"
    assert not_modified.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in not_modified.headers["content-security-policy"]


def test_a_weak_or_listed_etag_revalidates_too(api_client, tattooist):
    etag = api_client.get(f"/api/portfolio/{tattooist.pk}")["ETag"]
    for header in (f"W/{etag}", f'"other", {etag}', "*"):
        assert api_client.get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH=header).status_code == 304, header
    assert api_client.get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_write_after_repeat_reads_is_seen_by_the_very_next_read(tattooist):
    existing = item(tattooist, description="before")
    etag = None
    for _ in range(3):
        answer = wsgi_get(f"/api/portfolio/{tattooist.pk}")
        assert answer.json()["results"][0]["description"] == "before"
        etag = answer.headers["etag"]
    existing.description = "after"
    existing.save()
    assert wsgi_get(f"/api/portfolio/{tattooist.pk}").json()["results"][0]["description"] == "after"
    assert wsgi_get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH=etag).status == 200


# Query strings of good pages and of bad ones (a 400 on `page`).
_PAGES = ["", "?page=2", "?page=last", "?page=", "?pageSize=5", "?pageSize=5&page=3", "?pageSize=0", "?pageSize=abc",
          "?pageSize=500", "?page=2&pageSize=7&x=1", "?pageSize=-3&page=1"]  # fmt: skip
_BAD_PAGES = ["?page=abc", "?page=0", "?page=-1", "?page=9", "?page=1.0", "?pageSize=5&page=11", "?page=" + "9" * 30,
              "?page=1000000001"]  # fmt: skip


def test_anonymous_portfolio_pages_are_byte_for_byte_the_authenticated_answer(tattooist, customer):
    for n in range(47):
        item(tattooist, description=f"piece {n}", style_tags=["koi", f"t{n % 3}"])
    reader = client_for(customer)  # authenticated: never a cached body
    for query in _PAGES:
        anonymous = wsgi_get(f"/api/portfolio/{tattooist.pk}{query}")
        again = wsgi_get(f"/api/portfolio/{tattooist.pk}{query}")  # the stored answer
        stack = reader.get(f"/api/portfolio/{tattooist.pk}{query}")
        assert anonymous.status == again.status == stack.status_code == 200, query
        assert anonymous.body == again.body == stack.content, query
    for query in _BAD_PAGES:
        anonymous = wsgi_get(f"/api/portfolio/{tattooist.pk}{query}")
        assert anonymous.status == 400, query
        assert anonymous.json()["fields"] == {"page": ["Invalid page."]}
        assert reader.get(f"/api/portfolio/{tattooist.pk}{query}").content == anonymous.body


def test_unknown_and_unapproved_artists_are_a_private_404_whatever_the_page(tattooist):
    hidden = TattooistFactory(approved=False)
    for pk in (hidden.pk, 987654321):
        for query in ("", "?page=2", "?page=abc"):
            answer = wsgi_get(f"/api/portfolio/{pk}{query}")
            assert answer.status == 404, query
            assert answer.json()["code"] == "not_found"
            assert answer.headers["cache-control"] == "private, no-store"
    empty = TattooistFactory(approved=True)
    assert wsgi_get(f"/api/portfolio/{empty.pk}").json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_anonymous_artist_list_pages_are_byte_for_byte_the_authenticated_answer(customer):
    for n in range(23):
        artist = TattooistFactory(approved=True, bio=f"bio {n} {'fineline' if n % 2 else 'blackwork'}")
        item(artist, style_tags=["koi" if n % 3 else "rose"])
    reader = client_for(customer)
    queries = [*_PAGES, "?style=koi", "?style=KOI&page=2&pageSize=5", "?q=fineline", "?q=fine&style=rose", "?style="]
    for query in queries:
        anonymous = wsgi_get(f"/api/tattooists{query}")
        stack = reader.get(f"/api/tattooists{query}")
        assert anonymous.status == stack.status_code == 200, query
        assert anonymous.body == stack.content, query
    for query in ["?page=abc", "?page=3", "?page=" + "9" * 30, "?style=" + "x" * 33, "?q=%00"]:
        anonymous = wsgi_get(f"/api/tattooists{query}")
        assert anonymous.status == 400, query
        assert reader.get(f"/api/tattooists{query}").content == anonymous.body


def test_credentials_hosts_formats_and_accept_headers_are_honoured_on_public_reads(tattooist, customer):
    from django.conf import settings

    path = f"/api/portfolio/{tattooist.pk}"
    etag = wsgi_get(path).headers["etag"]
    assert wsgi_get(path).status == 200
    token = client_for(customer)._credentials["HTTP_AUTHORIZATION"]
    bearer = wsgi_get(path, HTTP_IF_NONE_MATCH=etag, HTTP_AUTHORIZATION=token)
    assert bearer.status == 200
    assert bearer.headers["cache-control"] == "private, no-store"
    session = wsgi_get(path, HTTP_IF_NONE_MATCH=etag, HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc")
    assert session.status == 200
    assert session.headers["cache-control"] == "private, no-store"
    assert wsgi_get(path, host="evil.example").status == 400
    assert wsgi_get(path + "?format=xml").status == 404
    assert wsgi_get(path, HTTP_ACCEPT="text/html").status == 406  # also once its answer is stored
    assert wsgi_get(path, HTTP_ACCEPT="application/json; charset=utf-8").status == 200
    assert wsgi_get(path, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8").status == 200  # a browser
    head = wsgi_get(path, method="HEAD")
    assert head.status == 200
    assert head.headers["etag"] == etag


def test_a_cached_read_writes_the_request_log_line(tattooist, caplog):
    wsgi_get(f"/api/availability/{tattooist.pk}")
    caplog.clear()
    with caplog.at_level("INFO", logger="inkbook.request"):
        assert wsgi_get(f"/api/availability/{tattooist.pk}").status == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "inkbook.request"]
    assert len(lines) == 1
    assert f"path=/api/availability/{tattooist.pk} status=200" in lines[0]
    assert "user_id=-" in lines[0]


def test_a_hit_costs_one_query_and_a_304_too(api_client, tattooist, django_assert_num_queries):
    item(tattooist, description="one")
    etag = api_client.get(f"/api/portfolio/{tattooist.pk}")["ETag"]
    with django_assert_num_queries(1):  # the version lookup
        assert api_client.get(f"/api/portfolio/{tattooist.pk}").json()["count"] == 1
    with django_assert_num_queries(1):
        assert api_client.get(f"/api/portfolio/{tattooist.pk}", HTTP_IF_NONE_MATCH=etag).status_code == 304


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


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_production_entry_point_serves_fresh_public_reads_under_gunicorn(tattooist):
    """tattoo/wsgi.py as gunicorn loads it: repeat reads identical to the first, 304s, and a
    committed write seen by the very next read."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    from django.db import connection

    from testing import logcheck
    from testing.s3 import free_port

    existing = item(tattooist, description="before")
    s = connection.settings_dict
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        DEBUG="false",
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_MANIFEST="false",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}", "tattoo.wsgi:application"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def get(path: str, **headers):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get("/healthz")
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        path = f"/api/portfolio/{tattooist.pk}"
        first, again = get(path), get(path)
        assert first[0] == again[0] == 200
        assert first[2] == again[2]
        assert {k: v for k, v in first[1].items() if k != "Date"} == {k: v for k, v in again[1].items() if k != "Date"}
        assert get(path, **{"If-None-Match": first[1]["ETag"]})[0] == 304
        assert get(f"{path}?page=2")[0] == 400
        existing.description = "after"
        existing.save()
        status, _, body = get(path)
        assert status == 200
        assert b'"description":"after"' in body
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        logcheck.record_output("gunicorn", proc.stderr.read())  # searched for secrets with the suite's logs


# --- languages (docs/i18n.md): one stored answer and one ETag per language --------------------------


def test_each_language_has_its_own_etag_and_vary_names_the_language(tattooist):
    item(tattooist, description="koi")
    path = f"/api/portfolio/{tattooist.pk}"
    mn, en = wsgi_get(path, HTTP_ACCEPT_LANGUAGE="mn"), wsgi_get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert mn.status == en.status == 200
    assert mn.headers["etag"] != en.headers["etag"]
    assert mn.headers["content-language"] == "mn"
    assert en.headers["content-language"] == "en"
    for answer in (mn, en):
        vary = {v.strip().lower() for v in answer.headers["vary"].split(",")}
        assert {"accept-language", "cookie", "authorization"} <= vary
    # the switcher's cookie picks the language of an anonymous read too
    cookie = wsgi_get(path, HTTP_ACCEPT_LANGUAGE=None, HTTP_COOKIE="django_language=en")
    assert cookie.headers["etag"] == en.headers["etag"]


def test_a_304_is_never_served_across_languages(tattooist):
    item(tattooist, description="koi")
    path = f"/api/portfolio/{tattooist.pk}"
    mn_etag = wsgi_get(path, HTTP_ACCEPT_LANGUAGE="mn").headers["etag"]
    assert wsgi_get(path, HTTP_ACCEPT_LANGUAGE="mn", HTTP_IF_NONE_MATCH=mn_etag).status == 304
    across = wsgi_get(path, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=mn_etag)
    assert across.status == 200
    assert across.body
    assert across.headers["etag"] != mn_etag


def test_a_stored_answer_is_never_served_in_another_language(tattooist):
    """The public reads hold no translated text today, so the Mongolian stored answer is replaced
    by a marker: an English read must not see it, a Mongolian one must (the store is per language)."""
    from django.core.cache import caches

    item(tattooist, description="koi")
    path = f"/api/portfolio/{tattooist.pk}"
    mn = wsgi_get(path, HTTP_ACCEPT_LANGUAGE="mn")
    store = caches[http_cache.RENDERED_CACHE]
    key = f"answer:{mn.headers['etag']}"
    assert store.get(key) is not None
    store.set(key, (b'{"marker":"mn"}', "application/json"), 60)
    assert wsgi_get(path, HTTP_ACCEPT_LANGUAGE="mn").body == b'{"marker":"mn"}'
    en = wsgi_get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert en.body != b'{"marker":"mn"}'
    assert en.body == mn.body  # the same data: only the language differs
