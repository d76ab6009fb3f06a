"""GET /api/tattooists: who is listed, the exact answer, and its HTTP caching (docs/search.md)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from djangorestframework_camel_case.render import CamelCaseJSONRenderer

from accounts.models import User
from accounts.tests.factories import TattooistFactory
from bookings.models import TimeOff
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import open_every_day as open_days
from portfolio.tests.factories import PortfolioItemFactory
from search.selectors import ArtistQuery, artist_search
from search.serializers import ArtistListQuerySerializer, ArtistSerializer
from search.tests.helpers import listed
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def test_only_approved_artists_with_an_active_account_are_listed(api_client):
    shown = TattooistFactory(user__name="Anu Bold")
    TattooistFactory(approved=False, approved_at=None)
    gone = TattooistFactory()
    User.objects.filter(pk=gone.user_id).update(is_active=False)

    body = api_client.get("/api/tattooists").json()
    assert body["count"] == 1
    assert [a["id"] for a in body["results"]] == [shown.pk]
    assert "email" not in body["results"][0]


def test_the_list_is_byte_for_byte_the_serializer_answer(frozen, api_client):
    odd = TattooistFactory(bio='Bio\u2028with ünïcode "quotes" </script>', min_deposit=Decimal("12345.5"))
    PortfolioItemFactory(tattooist=odd, style_tags=["koi", "rose"])
    for _ in range(21):
        TattooistFactory(min_deposit=Decimal("0"))
    artists = list(artist_search(ArtistQuery())[0:22])

    def expected(rows, count, next_link=None, previous=None) -> bytes:
        data = {"count": count, "next": next_link, "previous": previous}
        data["results"] = ArtistSerializer(rows, many=True).data
        return CamelCaseJSONRenderer().render(data)

    first = api_client.get("/api/tattooists")
    assert first["Content-Type"] == "application/json"
    assert first.content == expected(artists[:20], 22, next_link="http://testserver/api/tattooists?page=2")
    second = api_client.get("/api/tattooists?page=2")
    assert second.content == expected(artists[20:], 22, previous="http://testserver/api/tattooists")
    tagged = api_client.get("/api/tattooists?style=koi")
    assert tagged.content == expected([a for a in artists if a.pk == odd.pk], 1)
    assert tagged.json()["results"][0]["minDeposit"] == "12345.50"


def test_the_parameter_list_is_the_one_the_contract_names():
    assert ArtistListQuerySerializer.parameter_names() == [
        "q",
        "style",
        "district",
        "city",
        "language",
        "priceMax",
        "minRating",
        "availableFrom",
        "availableTo",
        "sort",
        "page",
        "pageSize",
    ]


def test_anonymous_answers_carry_an_etag_and_s_maxage_and_revalidate(api_client):
    TattooistFactory()
    first = api_client.get("/api/tattooists", {"district": "bayangol"})
    assert first.status_code == 200
    assert first["ETag"]
    assert "s-maxage=" in first["Cache-Control"]
    assert first["Cache-Control"].startswith("public")
    again = api_client.get("/api/tattooists", {"district": "bayangol"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_profile_hours_and_time_off_show_at_once_and_bookings_within_five_minutes(frozen, api_client, customer):
    artist = TattooistFactory(studio_name="Old Name")
    open_days(artist, days=[1])  # Mondays 10:00-18:00; now is Monday 08:00

    def item():
        return api_client.get("/api/tattooists").json()["results"][0]

    assert item()["nextAvailable"] == "2026-06-01T10:00:00+08:00"
    artist.studio_name = "New Name"
    artist.save()
    assert item()["studioName"] == "New Name"
    away = TimeOff.objects.create(
        tattooist=artist, starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=6)
    )  # until 14:00 local
    assert item()["nextAvailable"] == "2026-06-01T14:00:00+08:00"
    away.delete()
    assert item()["nextAvailable"] == "2026-06-01T10:00:00+08:00"

    BookingFactory(tattooist=artist, slot=timezone.now() + timedelta(hours=2))  # a hold, 10:00-12:00
    # The anonymous answer may be up to five minutes old (its ETag carries the clock, docs/search.md) ...
    assert item()["nextAvailable"] == "2026-06-01T10:00:00+08:00"
    # ... a signed-in visitor's is never stored ...
    mine = client_for(customer).get("/api/tattooists").json()["results"][0]
    assert mine["nextAvailable"] == "2026-06-01T12:00:00+08:00"
    # ... still four minutes on (the clock's five-minute window began at 08:00) ...
    frozen.shift(4 * 60)
    assert item()["nextAvailable"] == "2026-06-01T10:00:00+08:00"
    # ... and once the window turns everybody sees the booking.
    frozen.shift(60)
    assert item()["nextAvailable"] == "2026-06-01T12:00:00+08:00"
    assert listed(api_client, availableFrom="2026-06-01") == [artist.pk]
