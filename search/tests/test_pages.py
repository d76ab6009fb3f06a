"""The home page is the search (plain GET forms), the artist page shows the profile and the way to
book by booking mode, and the dashboard edits the profile (docs/search.md)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Tattooist
from accounts.tests.factories import TattooistFactory
from bookings.tests.factories import TimeOffFactory
from bookings.tests.helpers import NOW
from bookings.tests.helpers import open_every_day as open_days
from portfolio.tests.factories import PortfolioItemFactory

pytestmark = pytest.mark.django_db


def page(path: str, client: Client | None = None, status: int = 200) -> str:
    response = (client or Client()).get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    return response.content.decode()


def cards(html: str) -> list[str]:
    return re.findall(r'<h2 class="card__title"><a href="/artists/\d+/">([^<]+)</a>', html)


@pytest.fixture
def saraa():
    artist = TattooistFactory(
        user__name="Сараа Болд",
        studio_name="Black Orchid",
        district="sukhbaatar",
        address="Seoul street 21",
        price_from=Decimal("150000"),
        hourly_rate=Decimal("120000"),
        languages=["mn", "en"],
        instagram="saraa.ink",
    )
    open_days(artist, days=[1])
    PortfolioItemFactory(tattooist=artist, description="Koi sleeve", style_tags=["koi"])
    return artist


def test_a_card_shows_cover_studio_district_price_rating_and_next_free_time(frozen, saraa):
    TattooistFactory(user__name="Bataa", city="Дархан", district="")
    html = page("/")
    assert cards(html) == ["Bataa", "Сараа Болд"]  # newest first
    card = html[html.index("Сараа Болд") :]
    assert 'alt="Koi sleeve"' in html
    assert "Black Orchid · Sukhbaatar" in card
    assert "from 150,000\u00a0₮" in card
    assert "No reviews yet" in card
    assert "Next free: <time" in card
    # in the artist's zone
    assert '>Monday, 1 June 2026, 10:00</time> <span class="zone-name">(Ulaanbaatar time)</span>' in card
    assert '<li class="tag">koi</li>' in card
    assert "Дархан" in html  # no district: the city as the artist wrote it
    assert "No free time in the next 60 days" in html  # Bataa has no hours


def test_the_search_form_works_as_a_plain_get(frozen, saraa):
    TattooistFactory(user__name="Bataa", district="bayangol", price_from=Decimal("60000"))
    assert cards(page("/?q=saraa")) == ["Сараа Болд"]
    assert cards(page("/?q=Батаа")) == ["Bataa"]
    assert cards(page("/?district=bayangol")) == ["Bataa"]
    assert cards(page("/?sort=price")) == ["Bataa", "Сараа Болд"]
    assert cards(page("/?language=en")) == ["Сараа Болд"]
    assert cards(page("/?availableFrom=2026-06-01&availableTo=2026-06-01")) == ["Сараа Болд"]
    html = page("/?priceMax=100000")
    assert cards(html) == ["Bataa"]
    assert '<details class="search-form__more" open>' in html  # a filter in use is not folded away
    assert 'value="100000"' in html


def test_bad_filters_are_a_400_with_the_message_next_to_each_field(saraa):
    html = page("/?minRating=9&availableFrom=2026-13-01&q=koi", status=400)
    assert re.search(
        r'id="id_minRating_error">\s*<li>Ensure this value is less than or equal to 5\.</li>\s*</ul>', html
    )
    assert re.search(r'id="id_availableFrom_error">\s*<li>Date has wrong format', html)
    assert "Some filters are not right" in html
    assert cards(html) == []
    assert 'value="koi"' in html  # what the visitor typed stays


def test_an_empty_result_offers_to_drop_each_filter(frozen, saraa):
    html = page("/?q=saraa&district=bayangol&priceMax=100000&sort=price")
    assert cards(html) == []
    links = dict(re.findall(r'<li><a href="([^"]+)">without ([^<]+)</a></li>', html))
    assert links == {
        "/?district=bayangol&amp;priceMax=100000&amp;sort=price": "“saraa”",
        "/?q=saraa&amp;priceMax=100000&amp;sort=price": "district Bayangol",
        "/?q=saraa&amp;district=bayangol&amp;sort=price": "price from at most 100,000\u00a0₮",
    }
    assert cards(page("/?q=saraa&district=bayangol&sort=price")) == []
    assert cards(page("/?q=saraa&priceMax=100000&sort=price")) == []
    assert cards(page("/?district=sukhbaatar&priceMax=200000")) == ["Сараа Болд"]


def test_the_artist_page_shows_the_profile(frozen, saraa):
    html = page(f"/artists/{saraa.pk}/")
    assert '<p class="artist__studio" data-testid="studio">Black Orchid</p>' in html
    assert '<dd data-testid="where">Seoul street 21, Sukhbaatar, Ulaanbaatar</dd>' in html
    assert '<dd data-testid="price-from">150,000\u00a0₮</dd>' in html
    assert '<dd data-testid="hourly-rate">120,000\u00a0₮</dd>' in html
    assert '<dd data-testid="languages">Mongolian, English</dd>' in html
    assert 'href="https://www.instagram.com/saraa.ink/"' in html
    assert '>Monday, 1 June 2026, 10:00</time> <span class="zone-name">(Ulaanbaatar time)</span></dd>' in html


@pytest.mark.parametrize(
    ("mode", "booking_form", "request_section", "also_requests"),
    [("direct", True, False, False), ("both", True, False, True), ("request", False, True, False)],
)
def test_the_artist_page_offers_booking_or_a_consultation_by_booking_mode(
    frozen, saraa, customer, mode, booking_form, request_section, also_requests
):
    Tattooist.objects.filter(pk=saraa.pk).update(booking_mode=mode)
    client = Client()
    client.force_login(customer)
    html = page(f"/artists/{saraa.pk}/", client)
    assert (f'action="/artists/{saraa.pk}/book/"' in html) is booking_form
    assert ('data-testid="request-only"' in html) is request_section
    assert ('data-testid="also-requests"' in html) is also_requests
    # the way to a consultation request, wherever the artist takes them
    assert (f'href="/artists/{saraa.pk}/request/"' in html) is (request_section or also_requests)


def test_an_artist_edits_the_public_profile_from_the_dashboard(saraa):
    client = Client()
    client.force_login(saraa.user)
    html = page("/dashboard/", client)
    assert 'value="Black Orchid"' in html
    assert 'value="150000"' in html  # whole tögrög, not "150000.00"

    form = {
        "studio_name": "Хар Цэцэг",
        "city": "Улаанбаатар",
        "district": "khan_uul",
        "address": "Zaisan 5",
        "price_from": "90000",
        "hourly_rate": "",
        "languages": ["ru", "mn"],
        "instagram": "@new.handle",
        "booking_mode": "request",
        "heal_days": "28",
        "aftercare_text": "Wash gently twice a day.",
    }
    response = client.post("/dashboard/profile/", form)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/#profile"
    saraa.refresh_from_db()
    assert (saraa.studio_name, saraa.district, saraa.price_from, saraa.hourly_rate) == (
        "Хар Цэцэг",
        "khan_uul",
        Decimal("90000.00"),
        None,
    )
    assert (saraa.languages, saraa.instagram, saraa.booking_mode, saraa.heal_days) == (
        ["mn", "ru"],
        "new.handle",
        "request",
        28,
    )

    for field, value, message in [
        ("instagram", "no spaces please", "A handle: letters, digits, dots and underscores, at most 30."),
        ("heal_days", "7", "Ensure this value is greater than or equal to 14."),
        ("price_from", "-5", "Ensure this value is greater than or equal to 0."),
        ("district", "downtown", "Select a valid choice."),
    ]:
        bad = client.post("/dashboard/profile/", {**form, field: value, "studio_name": "Never saved"})
        assert bad.status_code == 400, field
        assert message in bad.content.decode(), field
    saraa.refresh_from_db()
    assert saraa.studio_name == "Хар Цэцэг"
    assert saraa.instagram == "new.handle"  # nothing written


def next_free_on_page(html: str) -> str:
    found = re.search(r'<dd data-testid="next-free">(.*?)</dd>', html, re.S)
    assert found, "the artist page shows no next free time"
    return found[1]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_artist_page_reads_the_artist_once_and_the_schedule_once_for_picker_and_next_free(frozen, saraa, customer):
    client = signed_in(customer)
    with CaptureQueriesContext(connection) as queries:
        html = page(f"/artists/{saraa.pk}/", client)
    assert ">Monday, 1 June 2026, 10:00</time>" in next_free_on_page(html)
    assert 'value="2026-06-01T02:00:00Z"' in html  # the picker's first start
    # The busy times (bookings with time off, one statement) are loaded once, for the picker's days,
    # whose first start is the next free one; not again over 60 days for the profile.
    (busy,) = [q["sql"] for q in queries.captured_queries if '"time_off"' in q["sql"]]
    assert "unnest" not in busy  # one artist's id as a plain equality (bookings.selectors.schedules_load)
    # The artist under the visibility rule (accounts.selectors): one statement, no card subqueries.
    assert sum(q["sql"].startswith('SELECT "tattooists"."id"') for q in queries.captured_queries) == 1


def test_the_artist_page_looks_past_its_picker_for_the_next_free_time(frozen, saraa, customer):
    # Away for the picker's two weeks and a few days more: the profile asks the rule further ahead.
    TimeOffFactory(tattooist=saraa, starts_at=NOW, ends_at=NOW + timedelta(days=20))
    html = page(f"/artists/{saraa.pk}/", signed_in(customer))
    api = Client().get(f"/api/tattooists/{saraa.pk}").json()
    assert api["nextAvailable"].startswith("2026-06-22T10:00:00+08:00")  # the next Monday's opening
    assert ">Monday, 22 June 2026, 10:00</time>" in next_free_on_page(html)
    assert 'value="2026-06-22T02:00:00Z"' not in html  # beyond the picker's 14 days
