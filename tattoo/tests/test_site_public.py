"""The public pages through Django's test client: home (the artist list) and an artist's page
(tattoo/site/views/public.py); the search itself is search/tests/test_pages.py."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import TattooistFactory
from bookings.tests.factories import AvailabilityFactory
from portfolio.tests.factories import PortfolioItemFactory

pytestmark = pytest.mark.django_db


def portfolio_item(artist, *, tags=(), description="", url="/static/img/favicon.svg"):
    return PortfolioItemFactory(tattooist=artist, image_url=url, description=description, style_tags=list(tags))


def test_home_lists_approved_artists_only():
    shown = TattooistFactory(user__name="Bold Bataa")
    hidden = TattooistFactory(user__name="Hidden Hulan", approved=False, approved_at=None)
    html = Client().get("/").content.decode()
    assert shown.user.name in html
    assert hidden.user.name not in html


def test_home_filters_by_style_and_searches_name_and_bio():
    lines = TattooistFactory(user__name="Anu Lines", bio="Delicate fine line florals")
    dots = TattooistFactory(user__name="Temuulen Dots", bio="Dotwork mandalas")
    portfolio_item(lines, tags=["fineline", "floral"])
    portfolio_item(dots, tags=["dotwork"])
    client = Client()
    by_style = client.get("/", {"style": "dotwork"}).content.decode()
    assert "Temuulen Dots" in by_style
    assert "Anu Lines" not in by_style
    by_bio = client.get("/", {"q": "FLORALS"}).content.decode()
    assert "Anu Lines" in by_bio
    assert "Temuulen Dots" not in by_bio
    by_name = client.get("/", {"q": "temuulen"}).content.decode()
    assert "Temuulen Dots" in by_name
    assert "Anu Lines" not in by_name
    assert '<option value="dotwork">' in by_name  # the style menu offers the tags in use


def test_the_style_menu_follows_portfolio_writes_though_it_is_cached():
    artist = TattooistFactory(user__name="Anu Lines")
    portfolio_item(artist, tags=["fineline"])
    client = Client()
    assert '<option value="fineline">' in client.get("/").content.decode()
    assert '<option value="dotwork">' not in client.get("/").content.decode()  # served from the cache

    added = portfolio_item(artist, tags=["dotwork"])
    assert '<option value="dotwork">' in client.get("/").content.decode()

    added.delete()
    assert '<option value="dotwork">' not in client.get("/").content.decode()


def test_an_unapproved_artists_tags_leave_the_style_menu():
    artist = TattooistFactory(user__name="Anu Lines")
    portfolio_item(artist, tags=["fineline"])
    client = Client()
    assert '<option value="fineline">' in client.get("/").content.decode()

    artist.approved = False
    artist.save()
    assert '<option value="fineline">' not in client.get("/").content.decode()


def test_home_paginates_artists():
    for i in range(13):
        TattooistFactory(user__name=f"Artist {i:02d}")
    client = Client()
    first, second = client.get("/").content.decode(), client.get("/", {"page": 2}).content.decode()
    assert first.count('data-testid="artist-card"') == 12
    assert second.count('data-testid="artist-card"') == 1
    assert "Page 2 of 2" in second


def test_the_artist_page_shows_bio_portfolio_newest_first_and_weekly_hours(tattooist):
    portfolio_item(tattooist, description="Old koi")
    portfolio_item(tattooist, description="New dragon", tags=["japanese"])
    AvailabilityFactory(tattooist=tattooist, day=0, start_time=time(11), end_time=time(15))
    AvailabilityFactory(tattooist=tattooist, day=1, start_time=time(10), end_time=time(13))
    AvailabilityFactory(tattooist=tattooist, day=1, start_time=time(14), end_time=time(18))
    html = Client().get(reverse("artist-detail", args=[tattooist.pk])).content.decode()
    assert tattooist.bio in html
    assert html.index('alt="New dragon"') < html.index('alt="Old koi"')
    assert re.search(r'data-day="0">\s*<th scope="row">Sunday</th>\s*<td><span class="hours__window">11:00–15:00', html)
    assert re.search(
        r'data-day="1">\s*<th scope="row">Monday</th>\s*<td><span class="hours__window">10:00–13:00</span>, '
        r'<span class="hours__window">14:00–18:00',
        html,
    )
    assert re.search(r'data-day="2">\s*<th scope="row">Tuesday</th>\s*<td><span class="muted">Closed', html)
    assert 'id="booking"' in html


def test_an_unapproved_artist_page_is_404_for_the_public_but_the_artist_can_preview_it(client):
    pending = TattooistFactory(approved=False, approved_at=None)
    url = reverse("artist-detail", args=[pending.pk])
    assert client.get(url).status_code == 404
    client.force_login(pending.user)
    response = client.get(url)
    assert response.status_code == 200
    assert "This page is a preview" in response.content.decode()
