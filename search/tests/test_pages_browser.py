"""The search pages in Chromium, with and without JavaScript, at phone width (docs/search.md)."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import Tattooist
from accounts.tests.factories import TattooistFactory
from bookings.tests.helpers import open_every_day as open_days
from portfolio.models import PortfolioItem

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 800}, "is_mobile": True, "has_touch": True}
IMAGE = "/static/img/favicon.svg"  # a same-origin image the CSP allows


@pytest.fixture
def market(db):
    saraa = TattooistFactory(
        user__name="Сараа Болд",
        studio_name="Black Orchid",
        district="sukhbaatar",
        price_from=Decimal("150000"),
        languages=["mn", "en"],
        instagram="saraa.ink",
    )
    bataa = TattooistFactory(user__name="Bataa Ganbold", district="bayangol", price_from=Decimal("60000"))
    khulan = TattooistFactory(user__name="Khulan", district="chingeltei", booking_mode="request", instagram="kh.ink")
    for n, artist in enumerate((saraa, bataa, khulan)):
        open_days(artist, start=time(10), end=time(20))
        PortfolioItem.objects.create(
            tattooist=artist, image_url=IMAGE, image_key=f"portfolio/{artist.user_id}/{n}.png", style_tags=["koi"]
        )
    return {"saraa": saraa, "bataa": bataa, "khulan": khulan}


def expect_names(page, expected: list[str]) -> None:
    """The cards' names, in order, once the page shows them: a click that submits a form returns
    before the next page has loaded, so a plain read can see the old page or none (a flake seen in
    CI); `expect` retries until the names match or its timeout passes."""
    expect(page.get_by_test_id("artist-card").get_by_role("heading")).to_have_text(expected)


def test_the_search_works_without_javascript_on_a_phone(new_page, market, screenshot):
    page = new_page(java_script_enabled=False, **PHONE)
    page.goto("/")
    expect(page.get_by_test_id("artist-card")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # cards fit the phone
    card = page.get_by_test_id("artist-card").filter(has_text="Сараа Болд")
    expect(card).to_contain_text("Black Orchid · Sukhbaatar")
    expect(card).to_contain_text("from 150")
    expect(card).to_contain_text("No reviews yet")
    expect(card.get_by_test_id("card-next")).to_contain_text("Next free:")

    # Latin letters find the Cyrillic name; the form is a plain GET, the URL the API's query.
    page.get_by_role("searchbox", name="Search").fill("saraa")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"[?&]q=saraa"))
    expect_names(page, ["Сараа Болд"])

    # The folded filters open without a script (<details>), and stay open while one is in use.
    page.get_by_role("link", name="Show all").click()
    page.get_by_text("More filters").click()
    page.get_by_label("Price from at most (MNT)").fill("100000")
    page.get_by_role("combobox", name="Sort by").select_option("price")
    page.get_by_role("button", name="Search").click()
    expect_names(page, ["Bataa Ganbold"])
    expect(page.get_by_label("Price from at most (MNT)")).to_be_visible()

    # Nothing matches: each filter can be dropped with one link.
    page.get_by_role("combobox", name="District").select_option("sukhbaatar")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("no-results")).to_contain_text("Loosen one")
    screenshot(page, "search-empty-phone-nojs")
    page.get_by_role("link", name=re.compile("without price from at most")).click()
    expect_names(page, ["Сараа Болд"])

    # The artist page of a request-only artist: no booking form, the way to reach them.
    page.goto(f"/artists/{market['khulan'].pk}/")
    expect(page.get_by_test_id("request-only")).to_contain_text("Request a consultation")
    expect(page.get_by_test_id("request-link")).to_have_attribute("href", f"/artists/{market['khulan'].pk}/request/")
    expect(page.get_by_role("button", name="Book this time")).to_have_count(0)


def test_the_search_and_the_artist_page_with_javascript(new_page, market, screenshot):
    page = new_page(**PHONE)  # fails on any JavaScript error or CSP violation (testing/browser.py)
    page.goto("/?q=Батаа")
    expect_names(page, ["Bataa Ganbold"])
    page.get_by_role("link", name="Bataa Ganbold").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bataa Ganbold")
    expect(page.get_by_test_id("price-from")).to_contain_text("60")
    expect(page.get_by_test_id("slot-list")).to_contain_text(":")  # free times, with the visitor's own
    expect(page.get_by_role("link", name="Log in to book")).to_be_visible()

    page.goto("/")
    expect(page.get_by_test_id("artist-card")).to_have_count(3)
    assert sorted(page.get_by_test_id("artist-card").get_by_role("heading").all_inner_texts()) == [
        "Bataa Ganbold",
        "Khulan",
        "Сараа Болд",
    ]
    page.get_by_role("combobox", name="District").select_option("chingeltei")
    page.get_by_role("button", name="Search").click()
    expect_names(page, ["Khulan"])
    expect(page.get_by_test_id("artist-card")).to_contain_text("Custom requests")
    hidden = Tattooist.objects.get(pk=market["khulan"].pk)
    hidden.approved = False
    hidden.save()  # staff unapprove: the cached page is not served any more
    page.reload()
    expect(page.get_by_test_id("no-results")).to_be_visible()
    screenshot(page, "search-phone-js")
