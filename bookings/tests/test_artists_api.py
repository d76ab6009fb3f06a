from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Tattooist
from accounts.tests.factories import TattooistFactory
from conftest import client_for
from portfolio.models import PortfolioItem
from portfolio.tests.factories import PortfolioItemFactory

pytestmark = pytest.mark.django_db


def item(artist, tags):
    return PortfolioItemFactory(tattooist=artist, style_tags=tags)


def test_the_public_list_shows_approved_artists_with_their_style_tags(api_client):
    shown = TattooistFactory(user__name="Anu Bold", bio="Fine line and dotwork")
    TattooistFactory(approved=False, approved_at=None, user__name="Hidden Hand")
    item(shown, ["fineline", "blackwork"])
    item(shown, ["blackwork", "dotwork"])

    response = api_client.get("/api/tattooists")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    artist = body["results"][0]
    assert artist == {
        "id": shown.pk,
        "name": "Anu Bold",
        "bio": "Fine line and dotwork",
        "styleTags": ["blackwork", "dotwork", "fineline"],
        "timezone": "Asia/Ulaanbaatar",
        "sessionMinutes": 120,
        "minDeposit": "50000.00",
    }


def test_the_list_filters_by_style_and_searches_name_and_bio(api_client):
    anu = TattooistFactory(user__name="Anu", bio="Portraits")
    bat = TattooistFactory(user__name="Bat", bio="Japanese sleeves")
    item(anu, ["realism"])
    item(bat, ["japanese"])

    def names(query):
        return [a["name"] for a in api_client.get(f"/api/tattooists{query}").json()["results"]]

    assert names("?style=japanese") == ["Bat"]
    assert names("?style=Japanese") == ["Bat"]
    assert names("?style=tribal") == []
    assert names("?q=portrait") == ["Anu"]
    assert names("?q=bat") == ["Bat"]
    assert names("") == ["Anu", "Bat"]


def test_the_list_costs_the_same_queries_for_many_artists(api_client, django_assert_max_num_queries):
    for _ in range(15):
        item(TattooistFactory(), ["a", "b"])

    with django_assert_max_num_queries(3):  # cache versions (tattoo/core/http_cache.py), count, page with tags
        response = api_client.get("/api/tattooists")
    assert len(response.json()["results"]) == 15


def test_one_artist_is_public_only_when_approved(api_client):
    shown = TattooistFactory()
    hidden = TattooistFactory(approved=False, approved_at=None)

    response = api_client.get(f"/api/tattooists/{shown.pk}")
    assert response.status_code == 200
    assert "email" not in response.json()
    assert response.json()["styleTags"] == []
    assert api_client.get(f"/api/tattooists/{hidden.pk}").status_code == 404
    assert api_client.get("/api/tattooists/999999").status_code == 404


def test_an_artist_changes_their_booking_settings(tattooist):
    response = client_for(tattooist.user).patch(
        "/api/tattooists/me",
        {"bio": "New bio", "timezone": "Europe/Berlin", "sessionMinutes": 90, "minDeposit": "80000"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["timezone"] == "Europe/Berlin"
    assert response.json()["sessionMinutes"] == 90
    tattooist.refresh_from_db()
    assert (tattooist.bio, tattooist.timezone, tattooist.session_minutes, tattooist.min_deposit) == (
        "New bio",
        "Europe/Berlin",
        90,
        Decimal("80000.00"),
    )


def test_an_artist_sets_the_deposit_refund_window_and_new_bookings_keep_theirs(tattooist):
    assert tattooist.deposit_refundable_hours == 48  # the default
    response = client_for(tattooist.user).patch("/api/tattooists/me", {"depositRefundableHours": 72}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["depositRefundableHours"] == 72
    assert Tattooist.objects.get(pk=tattooist.pk).deposit_refundable_hours == 72
    public = APIClient().get(f"/api/tattooists/{tattooist.pk}").json()
    assert public["depositRefundableHours"] == 72  # shown to the customer before booking and paying


def test_a_partial_update_leaves_the_rest_alone(tattooist):
    response = client_for(tattooist.user).patch("/api/tattooists/me", {"sessionMinutes": 60}, format="json")

    assert response.status_code == 200
    assert Tattooist.objects.get(pk=tattooist.pk).timezone == "Asia/Ulaanbaatar"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "/etc/passwd"}, "timezone"),
        ({"sessionMinutes": 10}, "sessionMinutes"),
        ({"sessionMinutes": 721}, "sessionMinutes"),
        ({"minDeposit": "100.50"}, "minDeposit"),
        ({"minDeposit": "-1"}, "minDeposit"),
        ({"depositRefundableHours": -1}, "depositRefundableHours"),
        ({"depositRefundableHours": 721}, "depositRefundableHours"),
        ({"depositRefundableHours": "soon"}, "depositRefundableHours"),
    ],
)
def test_it_refuses_bad_settings_with_400(tattooist, body, field):
    response = client_for(tattooist.user).patch("/api/tattooists/me", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_only_an_artist_may_change_artist_settings(customer, admin_user, api_client):
    for user in (customer, admin_user):
        assert client_for(user).patch("/api/tattooists/me", {"bio": "x"}, format="json").status_code == 403
    assert api_client.patch("/api/tattooists/me", {"bio": "x"}, format="json").status_code == 401


def test_the_list_is_byte_for_byte_the_serializer_answer(api_client):
    from decimal import Decimal

    from djangorestframework_camel_case.render import CamelCaseJSONRenderer

    from portfolio import selectors
    from portfolio.serializers import ArtistSerializer

    odd = TattooistFactory(bio='Bio\u2028with ünïcode "quotes" </script>', min_deposit=Decimal("12345.5"))
    item(odd, ["koi", "rose"])
    for _ in range(21):
        TattooistFactory(min_deposit=Decimal("0"))
    artists = list(
        selectors._with_style_tags(Tattooist.objects.filter(approved=True, user__is_active=True)).order_by(
            "user__name", "id"
        )
    )

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


def test_the_list_filters_like_the_orm_lookups_they_replace(api_client):
    """Pin the list's filters to the plain ORM lookups (Exists on the tag array, icontains on name or
    bio with LIKE wildcards escaped) over awkward inputs."""
    from django.db.models import Exists, OuterRef, Q

    names = ["Anu 100% Ink", "Bat_Erdene", "Chimeg", "dorj", "Enkh \\ Line", "Ölzii"]
    for n, name in enumerate(names):
        artist = TattooistFactory(user__name=name, bio="" if n == 2 else f"bio {n} {'Koi' if n % 2 else 'rose'}")
        item(artist, ["koi", "black and grey"] if n % 2 else ["rose"])
    TattooistFactory(approved=False, user__name="Hidden 100%")

    def spec(style: str = "", q: str = "") -> list[int]:
        qs = Tattooist.objects.filter(approved=True, user__is_active=True)
        if style:
            tag = [style.strip().lower()]
            qs = qs.filter(Exists(PortfolioItem.objects.filter(tattooist=OuterRef("pk"), style_tags__contains=tag)))
        if q:
            qs = qs.filter(Q(user__name__icontains=q.strip()) | Q(bio__icontains=q.strip()))
        return list(qs.order_by("user__name", "id").values_list("id", flat=True))

    cases = [
        ("", ""), ("koi", ""), (" KOI ", ""), ("black and grey", ""), ("", "100%"), ("", "%"), ("", "_"),
        ("", "t_e"), ("", "\\"), ("", "ölz"), ("", "  "), ("", "ROSE"), ("koi", "bio"), ("rose", "koi"),
    ]  # fmt: skip
    for style, q in cases:
        response = api_client.get("/api/tattooists", {"style": style, "q": q, "pageSize": 100})
        assert response.status_code == 200, (style, q)
        assert [a["id"] for a in response.json()["results"]] == spec(style, q), (style, q)
        assert response.json()["count"] == len(spec(style, q))
