"""Anonymous cached answers are keyed on the query parameters each view declares (issue 26, item 4;
tattoo/core/http_cache.py): a flood of `?x=<random>` makes no new stored answer and never reaches
the view, and the public store is optional (an unreachable one renders, never a 500). Over HTTP."""

from __future__ import annotations

import secrets

import pytest
import time_machine
from django.core.cache import caches
from django.utils import timezone

from accounts.tests.factories import TattooistFactory
from tattoo.core import http_cache
from testing.qpay_worker import free_port

pytestmark = pytest.mark.django_db


def stored_answers() -> int:
    store = caches[http_cache.RENDERED_CACHE]
    return sum(":answer:" in key for key in store._cache)  # LocMemCache's own dict (tests run on it)


def test_a_flood_of_unknown_query_parameters_makes_no_new_stored_answer(api_client, tattooist):
    first = api_client.get("/api/tattooists")
    assert first.status_code == 200
    assert stored_answers() == 1

    for _ in range(30):
        junk = api_client.get(f"/api/tattooists?x={secrets.token_hex(8)}&utm_source={secrets.token_hex(4)}")
        assert junk.status_code == 200
        assert junk["ETag"] == first["ETag"]
        assert junk.content == first.content

    assert stored_answers() == 1


@pytest.mark.parametrize(
    "path", ["/", "/artists/{id}/", "/api/portfolio/{id}", "/api/availability/{id}", "/api/tattooists/{id}/slots"]
)
def test_every_public_read_ignores_parameters_it_does_not_read(client, tattooist, path):
    url = path.format(id=tattooist.pk)
    with time_machine.travel(timezone.now(), tick=False):  # slot answers also follow the minute
        plain = client.get(url)
        assert plain.status_code == 200
        junk = client.get(url, {"x": secrets.token_hex(8)})
    assert junk["ETag"] == plain["ETag"]
    assert stored_answers() == 1


def test_declared_parameters_key_the_answer_in_any_order_and_still_filter(api_client):
    saraa = TattooistFactory(user__name="Saraa Bold")
    TattooistFactory(user__name="Bataa Dorj")

    a = api_client.get("/api/tattooists?q=Saraa&pageSize=5&x=1")
    b = api_client.get("/api/tattooists?pageSize=5&y=2&q=Saraa")
    other = api_client.get("/api/tattooists?q=Bataa&pageSize=5")

    assert a["ETag"] == b["ETag"] != other["ETag"]
    assert [r["id"] for r in a.json()["results"]] == [saraa.pk]
    assert stored_answers() == 2


def test_links_an_answer_builds_from_the_request_carry_only_declared_parameters(api_client):
    TattooistFactory.create_batch(2)

    body = api_client.get("/api/tattooists?pageSize=1&x=evil").json()

    assert "pageSize=1" in body["next"]
    assert "page=2" in body["next"]
    assert "x=" not in body["next"]


def test_an_unreachable_public_store_is_rendered_around_never_a_500(api_client, tattooist, settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "public": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nobody listens there
        },
    }

    response = api_client.get("/api/tattooists")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert "public cache" in caplog.text
