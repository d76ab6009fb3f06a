"""GET /api/tattooists: each filter and sort against hand-built data, the item's fields, 400 on every
bad parameter and a fixed number of queries whatever the page size (docs/search.md)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Tattooist
from accounts.tests.factories import TattooistFactory
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import open_every_day as open_days
from portfolio.tests.factories import PortfolioItemFactory
from search.tests.helpers import listed

pytestmark = pytest.mark.django_db


def rate(artist, count: int, total: int) -> None:
    """What reviews will do (a later issue): the two counters, the average derived by the database."""
    Tattooist.objects.filter(pk=artist.pk).update(rating_count=count, rating_sum=total)


def test_an_item_carries_the_profile_cover_styles_rating_and_next_free_start(frozen, api_client):
    artist = TattooistFactory(
        user__name="Saraa",
        studio_name="Black Orchid",
        district="sukhbaatar",
        price_from=Decimal("150000"),
        hourly_rate=Decimal("120000"),
        languages=["mn", "en"],
        booking_mode="request",
        address="Seoul street 21",
        instagram="saraa.ink",
    )
    open_days(artist, days=[1])  # Mondays 10:00-18:00
    for tags in (["koi", "fine-line"], ["koi"], ["koi", "dotwork", "rose"], ["rose", "a", "b", "c"]):
        PortfolioItemFactory(tattooist=artist, style_tags=tags)
    newest = PortfolioItemFactory(tattooist=artist, style_tags=["rose"])

    item = api_client.get("/api/tattooists").json()["results"][0]

    assert item["studioName"] == "Black Orchid"
    assert (item["city"], item["district"]) == ("Улаанбаатар", "sukhbaatar")
    assert (item["priceFrom"], item["hourlyRate"]) == ("150000.00", "120000.00")
    assert item["languages"] == ["mn", "en"]
    assert item["avatarUrl"] is None
    assert item["coverUrl"] == newest.image_url
    assert item["styles"] == ["koi", "rose", "a", "b", "c"]  # most used first, then by name; five
    assert item["styleTags"] == ["a", "b", "c", "dotwork", "fine-line", "koi", "rose"]
    assert item["rating"] == {"average": None, "count": 0}
    # Monday 1 June 08:00 local: two hours' notice, so 10:00 local (the window's start)
    assert item["nextAvailable"] == "2026-06-01T10:00:00+08:00"
    assert item["bookingMode"] == "request"
    assert "address" not in item  # the detail's
    assert "instagram" not in item

    detail = api_client.get(f"/api/tattooists/{artist.pk}").json()
    assert {k: detail[k] for k in ("address", "instagram", "healDays", "responseHours")} == {
        "address": "Seoul street 21",
        "instagram": "saraa.ink",
        "healDays": 21,
        "responseHours": None,
    }
    assert detail["nextAvailable"] == item["nextAvailable"]
    assert detail["coverUrl"] == newest.image_url


def test_the_cover_styles_and_style_filter_follow_the_portfolio_without_reading_it(api_client):
    from portfolio.services import portfolio_item_delete, portfolio_item_update

    artist = TattooistFactory()
    other = TattooistFactory()  # no portfolio: no cover, no styles
    old = PortfolioItemFactory(tattooist=artist, style_tags=["koi"])
    new = PortfolioItemFactory(tattooist=artist, style_tags=["rose", "dotwork"])

    def card() -> dict:
        return next(a for a in api_client.get("/api/tattooists").json()["results"] if a["id"] == artist.pk)

    assert (card()["coverUrl"], card()["styles"]) == (new.image_url, ["dotwork", "koi", "rose"])
    assert listed(api_client, style="rose") == [artist.pk]
    portfolio_item_update(item=old, actor=artist.user, tags=["rose"])  # retagged
    assert card()["styles"] == ["rose", "dotwork"]  # rose twice now
    assert listed(api_client, style="koi") == []
    portfolio_item_delete(item=new, actor=artist.user)  # the cover goes: the next newest is the cover
    assert (card()["coverUrl"], card()["styles"]) == (old.image_url, ["rose"])
    assert listed(api_client, style="dotwork") == []
    portfolio_item_delete(item=old, actor=artist.user)
    assert (card()["coverUrl"], card()["styles"]) == (None, [])
    bare = next(a for a in api_client.get("/api/tattooists").json()["results"] if a["id"] == other.pk)
    assert (bare["coverUrl"], bare["styles"], bare["styleTags"]) == (None, [], [])

    # A page of cards, filtered by style or not, joins each artist's entry and cover: no statement
    # or subquery reads the portfolios themselves.
    PortfolioItemFactory(tattooist=artist, style_tags=["koi"])
    for params in ({}, {"style": "koi"}):
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get("/api/tattooists", params).status_code == 200
        sql = " ".join(q["sql"] for q in captured)
        assert 'JOIN "portfolios"' in sql, params
        assert 'FROM "portfolios"' not in sql, params
        assert "FROM portfolios" not in sql, params


def test_district_city_language_price_and_style_filter_exactly(api_client):
    bayangol = TattooistFactory(district="bayangol", languages=["mn", "en"], price_from=Decimal("80000"))
    khan_uul = TattooistFactory(district="khan_uul", languages=["mn"], price_from=Decimal("150000"))
    darkhan = TattooistFactory(city="Дархан", district="", languages=["ru"], price_from=None)
    PortfolioItemFactory(tattooist=khan_uul, style_tags=["koi"])
    TattooistFactory(district="bayangol", approved=False, approved_at=None)  # never listed

    assert listed(api_client, district="bayangol") == [bayangol.pk]
    assert listed(api_client, district="nalaikh") == []
    assert listed(api_client, city="Darkhan") == [darkhan.pk]  # either script, any case
    assert listed(api_client, city="ДАРХАН") == [darkhan.pk]
    assert sorted(listed(api_client, city="Ulaanbaatar")) == [bayangol.pk, khan_uul.pk]
    assert listed(api_client, city="Dark") == []  # a city is exact, not a prefix
    assert sorted(listed(api_client, language="mn")) == [bayangol.pk, khan_uul.pk]
    assert listed(api_client, language="ru") == [darkhan.pk]
    assert listed(api_client, language="ja") == []
    assert listed(api_client, priceMax=80000) == [bayangol.pk]  # priceFrom <= it; unknown prices are out
    assert sorted(listed(api_client, priceMax=150000)) == [bayangol.pk, khan_uul.pk]
    assert listed(api_client, priceMax=79999) == []
    assert listed(api_client, style="KOI") == [khan_uul.pk]
    assert listed(api_client, district="khan_uul", language="en") == []
    assert listed(api_client, district="khan_uul", style="koi", priceMax=200000) == [khan_uul.pk]


def test_min_rating_compares_the_average_to_one_decimal(api_client):
    great, good, new = TattooistFactory(), TattooistFactory(), TattooistFactory()
    rate(great, 4, 19)  # 4.75 -> 4.8
    rate(good, 3, 13)  # 4.33 -> 4.3

    assert sorted(listed(api_client, minRating=4)) == sorted([great.pk, good.pk])
    assert listed(api_client, minRating="4.8") == [great.pk]
    assert listed(api_client, minRating="4.9") == []
    assert new.pk not in listed(api_client, minRating=1)
    assert api_client.get(f"/api/tattooists/{great.pk}").json()["rating"] == {"average": 4.8, "count": 4}


def test_each_sort_orders_as_the_contract_says(frozen, api_client):
    now = timezone.now()
    a = TattooistFactory(user__name="Anu Koi", price_from=Decimal("90000"))
    b = TattooistFactory(user__name="Bat", bio="koi koi", price_from=None)
    c = TattooistFactory(user__name="Chimeg", studio_name="Koi Room", price_from=Decimal("50000"))
    Tattooist.objects.filter(pk=a.pk).update(created_at=now - timedelta(days=3))
    Tattooist.objects.filter(pk=b.pk).update(created_at=now - timedelta(days=1))
    Tattooist.objects.filter(pk=c.pk).update(created_at=now - timedelta(days=2))
    rate(a, 2, 8)  # 4.0
    rate(c, 10, 40)  # 4.0, more reviews
    open_days(b, days=[1])  # Monday: free from 10:00 today
    open_days(c, days=[2])  # Tuesday
    BookingFactory(tattooist=b, slot=now + timedelta(hours=2), ends_at=now + timedelta(hours=4))  # 10:00-12:00

    assert listed(api_client) == [b.pk, c.pk, a.pk]  # newest without q
    assert listed(api_client, sort="newest", q="koi") == [b.pk, c.pk, a.pk]
    assert listed(api_client, q="koi") == [a.pk, c.pk, b.pk]  # relevance with q: name, studio, bio
    assert listed(api_client, sort="relevance") == [b.pk, c.pk, a.pk]  # nothing to rank: newest
    assert listed(api_client, sort="rating") == [c.pk, a.pk, b.pk]  # tie on 4.0: more reviews first; none last
    assert listed(api_client, sort="price") == [c.pk, a.pk, b.pk]  # cheapest first; unknown last
    # b is free today at 12:00 (after its booking), c tomorrow, a never: last
    assert listed(api_client, sort="soonest") == [b.pk, c.pk, a.pk]
    items = api_client.get("/api/tattooists", {"sort": "soonest"}).json()["results"]
    assert [i["nextAvailable"] for i in items] == ["2026-06-01T12:00:00+08:00", "2026-06-02T10:00:00+08:00", None]


def test_soonest_keeps_the_relevance_order_among_artists_free_at_the_same_time(frozen, api_client):
    names = TattooistFactory(user__name="Koi Master")
    bios = TattooistFactory(user__name="Zaya", bio="koi")
    for artist in (names, bios):
        open_days(artist)
    assert listed(api_client, q="koi", sort="soonest") == [names.pk, bios.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("district=downtown", "district"),
        ("language=fr", "language"),
        ("language=MN", "language"),
        ("priceMax=1.5", "priceMax"),
        ("priceMax=-1", "priceMax"),
        ("priceMax=lots", "priceMax"),
        ("priceMax=99999999999", "priceMax"),
        ("minRating=0", "minRating"),
        ("minRating=5.5", "minRating"),
        ("minRating=4.25", "minRating"),
        ("minRating=good", "minRating"),
        ("sort=popular", "sort"),
        ("sort=RATING", "sort"),
        ("availableFrom=2026-06-31", "availableFrom"),
        ("availableFrom=tomorrow", "availableFrom"),
        ("availableFrom=2026-06-01T10:00:00Z", "availableFrom"),
        ("availableTo=2026-6-1", "availableTo"),
        ("availableFrom=1969-12-31", "availableFrom"),
        ("availableFrom=2026-06-10&availableTo=2026-06-09", "availableTo"),
        ("availableFrom=2026-06-01&availableTo=2026-07-02", "availableTo"),  # 32 days
        ("q=" + "x" * 101, "q"),
        ("q=a%00b", "q"),
        ("style=" + "x" * 33, "style"),
        ("city=" + "x" * 81, "city"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("page=9", "page"),  # past the last page
    ],
)
def test_every_bad_parameter_is_a_400_on_that_parameter(api_client, query, field):
    TattooistFactory()
    response = api_client.get(f"/api/tattooists?{query}")
    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == [field]


def test_good_edge_values_are_accepted(api_client):
    TattooistFactory()
    for query in (
        "availableFrom=2026-06-01&availableTo=2026-07-01",  # 31 days
        "minRating=5",
        "minRating=4.5",
        "priceMax=0",
        "pageSize=500",  # the rule of every list (docs/api.md): more than 100 is read as 100 ...
        "pageSize=0",  # ... and anything but a positive number as the default
        "page=",
        "district=&language=&sort=&q=",  # empty means "any"
        "unknown=1",  # a parameter the list does not read is ignored
    ):
        assert api_client.get(f"/api/tattooists?{query}").status_code == 200, query


QUERIES = [
    {},
    {"q": "koi", "district": "bayangol"},
    {"sort": "soonest"},
    {"q": "koi", "language": "mn", "sort": "soonest"},
    {"availableFrom": "2026-06-02", "availableTo": "2026-06-08"},
    {"availableFrom": "2026-06-02", "sort": "soonest", "district": "bayangol"},
    {"sort": "rating", "minRating": "1"},
]


def test_a_page_costs_the_same_queries_for_20_and_for_100_artists(frozen, api_client):
    for n in range(110):
        artist = TattooistFactory(district="bayangol", user__name=f"Koi {n}", rating_count=1, rating_sum=4)
        PortfolioItemFactory(tattooist=artist, style_tags=["koi", f"tag{n % 7}"])
        open_days(artist, days=[n % 7])
        BookingFactory(tattooist=artist, slot=timezone.now() + timedelta(days=1, hours=n % 9))

    for query in QUERIES:
        counts = {}
        for size in (20, 100):
            with CaptureQueriesContext(connection) as captured:
                response = api_client.get("/api/tattooists", {**query, "pageSize": size})
            assert response.status_code == 200
            assert len(response.json()["results"]) == size, query
            counts[size] = len(captured)
        # the cache versions; a count and the page, or the ids and the page; the schedules of the
        # page or of the soonest sort (two queries); the free-time filter's schedules (two)
        expected = 1 + 2 + 2 + (2 if "availableFrom" in query else 0)
        assert counts == {20: expected, 100: expected}, query
