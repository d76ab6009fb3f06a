"""An anonymous visitor's home and artist pages are cached like the public API reads (versioned
ETag, 304, the stored HTML), never stale after a write, per language; a signed-in person's page,
or a visitor with a flash message waiting, is rendered for them and never stored. The language
switcher on a visitor's page carries no CSRF token, and a visitor's switch needs none; a signed-in
person's does."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.tests.factories import CustomerFactory, TattooistFactory
from portfolio.tests.factories import PortfolioItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def artist():
    artist = TattooistFactory(bio="Fine line and dotwork.")
    PortfolioItemFactory(tattooist=artist, style_tags=["dotwork"])
    return artist


def test_a_visitors_home_page_is_public_revalidates_to_304_and_is_served_stored(artist, django_assert_num_queries):
    client = Client()
    first = client.get("/")
    assert first.status_code == 200
    assert first["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    assert "Accept-Language" in first["Vary"]
    assert "Cookie" in first["Vary"]
    assert "csrftoken" not in first.cookies  # nothing personal: no CSRF cookie, no token in the HTML
    assert "csrfmiddlewaretoken" not in first.content.decode()

    with django_assert_num_queries(1):  # the version lookup, then the stored HTML
        again = client.get("/")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    with django_assert_num_queries(1):
        revalidated = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304


def test_a_write_is_seen_by_the_very_next_visitor(artist):
    client = Client()
    before = client.get(f"/artists/{artist.pk}/")
    assert "Fine line and dotwork." in before.content.decode()
    home = client.get("/").content.decode()
    artist.bio = "Now only blackwork."
    artist.studio_name = "Blackwork Only"
    artist.save()
    after = client.get(f"/artists/{artist.pk}/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "Now only blackwork." in after.content.decode()
    assert "Blackwork Only" not in home
    assert "Blackwork Only" in client.get("/").content.decode()  # the home page's card too


def test_each_language_has_its_own_page(artist):
    mongolian = Client().get("/", HTTP_ACCEPT_LANGUAGE="mn")
    english = Client().get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="mn">' in mongolian.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert mongolian["ETag"] != english["ETag"]
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=mongolian["ETag"]).status_code == 200


def test_a_signed_in_page_is_theirs_and_never_stored(artist):
    customer = CustomerFactory()
    client = Client()
    client.force_login(customer)
    page = client.get(f"/artists/{artist.pk}/")
    assert page.status_code == 200
    assert not page.has_header("ETag")
    assert "public" not in page.get("Cache-Control", "")
    assert "csrfmiddlewaretoken" in page.content.decode()  # their switcher carries their token


def test_a_visitor_with_a_flash_message_waiting_gets_their_own_page(artist):
    client = Client()
    client.cookies["messages"] = "anything"
    page = client.get("/")
    assert page.status_code == 200
    assert not page.has_header("ETag")


def test_a_visitor_switches_language_without_a_token_and_a_signed_in_person_needs_one(artist):
    visitor = Client(enforce_csrf_checks=True)
    switched = visitor.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    assert switched.cookies["django_language"].value == "en"

    customer = CustomerFactory(language="mn")
    member = Client(enforce_csrf_checks=True)
    member.force_login(customer)
    assert member.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 403
    customer.refresh_from_db()
    assert customer.language == "mn"
    page = member.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert (
        member.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token}).status_code == 302
    )
    customer.refresh_from_db()
    assert customer.language == "en"
