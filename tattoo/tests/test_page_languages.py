"""Pages, mails and scripts in Mongolian first and English beside it (docs/i18n.md, "Pages, mails
and scripts"): <html lang>, the catalogue's words, the switcher, money and dates."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.models import Availability
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import open_every_day
from tattoo.core import l10n
from testing.language import speaking

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
SWITCHER = re.compile(r'<form class="language-switcher".*?</form>', re.S)
# A Monday; 08:00 in Ulaanbaatar (UTC+8), where the artist works 10:00-18:00 every day.
NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def artist(db):
    # The artist's own words are ASCII, so an English page has no Cyrillic but the switcher's.
    profile = TattooistFactory(user__name="Oyuka Lines", bio="Fine line and botanical work.")
    open_every_day(profile)
    return profile


def get(path: str, language: str, client: Client | None = None) -> str:
    response = (client or Client()).get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def without_switcher(html: str) -> str:
    assert len(SWITCHER.findall(html)) == 1, "one language switcher per page"
    return SWITCHER.sub("", html)


PAGES = {
    # path (artist pages get the artist's id) -> a heading or button in each language
    "home": ("/", "<h1>Шивээсчин хайх</h1>", "<h1>Find a tattoo artist</h1>"),
    "artist": ("/artists/{pk}/", 'id="booking-heading">Цаг захиалах</h2>', 'id="booking-heading">Book a session</h2>'),
    "login": ("/login/", 'class="button">Нэвтрэх</button>', 'class="button">Log in</button>'),
    "signup": ("/signup/", "<h1>Бүртгэл үүсгэх</h1>", "<h1>Create your account</h1>"),
}  # fmt: skip


@pytest.mark.parametrize("name", PAGES)
def test_a_mongolian_visitor_reads_the_page_in_mongolian(name, artist):
    path, mongolian, _ = PAGES[name]
    html = get(path.format(pk=artist.pk), "mn")
    assert '<html lang="mn">' in html
    assert mongolian in html
    assert "Бүртгүүлэх" in html  # the navigation's "Sign up"
    assert "Inkbook · Шивээсчнээс цаг захиалж" in html  # the footer


@pytest.mark.parametrize("name", PAGES)
def test_an_english_visitor_reads_the_page_in_english_without_cyrillic(name, artist):
    path, _, english = PAGES[name]
    html = get(path.format(pk=artist.pk), "en")
    assert '<html lang="en">' in html
    assert english in html
    assert not CYRILLIC.findall(without_switcher(html))


def test_a_visitor_who_names_no_language_gets_mongolian(language_neutral_client):
    html = get("/login/", None, language_neutral_client)
    assert '<html lang="mn">' in html


def test_the_switcher_offers_both_languages_in_their_own_words_and_marks_the_current(artist):
    # The home page's own parameters (a cached public page keeps only those it reads, sorted:
    # tattoo/core/http_cache.py), so `next` carries them, escaped.
    path = "/?page=1&q=ink"
    switcher = SWITCHER.search(get(path + "&utm_source=x", "mn")).group(0)
    assert 'action="/i18n/setlang/"' in switcher
    assert 'name="csrfmiddlewaretoken"' not in switcher  # a visitor's switch needs none (tests/test_page_cache.py)
    assert f'name="next" value="{path.replace("&", "&amp;")}"' in switcher
    assert re.search(r'value="mn" lang="mn" class="language-switcher__option" aria-current="true">Монгол<', switcher)
    assert re.search(r'value="en" lang="en" class="language-switcher__option">English<', switcher)
    assert 'aria-current="true">English' in SWITCHER.search(get(path, "en")).group(0)


def test_switching_language_keeps_the_page_and_remembers_the_choice(artist):
    client = Client(enforce_csrf_checks=False)
    path = f"/artists/{artist.pk}/?tab=hours"
    assert '<html lang="mn">' in get(path, "mn", client)
    response = client.post(reverse("set_language"), {"language": "en", "next": path}, HTTP_ACCEPT_LANGUAGE="mn")
    assert response.status_code == 302
    assert response["Location"] == path
    # The cookie now outranks the browser's Accept-Language.
    assert '<html lang="en">' in get(path, "mn", client)
    client.post(reverse("set_language"), {"language": "mn", "next": path})
    assert '<html lang="mn">' in get(path, "en", client)


def test_the_artist_page_in_mongolian_shows_money_days_and_times_in_mongolian_formats(artist):
    with time_machine.travel(NOW, tick=False):
        html = get(f"/artists/{artist.pk}/", "mn")
    assert l10n.money(Decimal("50000.00")) == "50,000\u00a0₮"
    assert '<dd data-testid="min-deposit">50,000\u00a0₮</dd>' in html
    # The week from Monday, the days' names in Mongolian, 24-hour times.
    days = re.findall(r'<tr data-day="\d">\s*<th scope="row">([^<]+)</th>', html)
    assert days == ["Даваа", "Мягмар", "Лхагва", "Пүрэв", "Баасан", "Бямба", "Ням"]
    assert "10:00–18:00" in html
    # The slot picker: the day in the long Mongolian form, times on the 24-hour clock.
    assert "<li><strong>2026\u202fоны 6-р сарын 1, даваа гараг</strong>: " in html
    assert '<time datetime="2026-06-01T06:00:00Z" data-slot-start="2026-06-01T06:00:00Z">14:00</time>' in html
    assert "Шивээсний цаг 120 минут үргэлжилнэ." in html


def test_the_artist_page_in_english_writes_the_same_money_and_english_dates(artist):
    with time_machine.travel(NOW, tick=False):
        html = get(f"/artists/{artist.pk}/", "en")
    assert '<dd data-testid="min-deposit">50,000\u00a0₮</dd>' in html
    assert "<li><strong>Monday, 1 June 2026</strong>: " in html
    assert '<time datetime="2026-06-01T06:00:00Z" data-slot-start="2026-06-01T06:00:00Z">14:00</time>' in html
    assert '<th scope="row">Sunday</th>' in html


def test_the_booking_page_in_mongolian_shows_its_status_deposit_and_history_in_mongolian(artist):
    customer = speaking(CustomerFactory(name="Bolor Customer"), "mn")
    booking = BookingFactory(customer=customer, tattooist=artist, slot=datetime(2026, 12, 1, 6, 30, tzinfo=UTC))
    booking.events.create(from_status="", to_status="pending", from_payment_status="", to_payment_status="unpaid")
    client = Client()
    client.force_login(customer)
    html = get(f"/bookings/{booking.pk}/", "mn", client)
    assert f"<h1>Захиалга №{booking.pk}</h1>" in html
    assert '<dd data-testid="booking-status">Хүлээгдэж буй</dd>' in html
    assert '<dd data-testid="payment-status">50,000\u00a0₮ · Төлөгдөөгүй</dd>' in html
    assert '<dd data-testid="deposit-required">50,000\u00a0₮</dd>' in html
    # 06:30 UTC is 14:30 in Ulaanbaatar: the date, then its weekday (CLDR mn), the zone named.
    assert "2026\u202fоны 12-р сарын 1, мягмар гараг 14:30 – 16:30</time>" in html
    assert "(Улаанбаатарын цагаар)" in html
    assert "төлөв шинэ → <strong>хүлээгдэж буй</strong>" in html
    assert "Урьдчилгаа төлбөрийг QPay-ээр төлөх" in html


def test_the_booking_page_in_english_writes_the_same_booking_in_english(artist):
    customer = speaking(CustomerFactory(name="Bolor Customer"), "en")
    booking = BookingFactory(customer=customer, tattooist=artist, slot=datetime(2026, 12, 1, 6, 30, tzinfo=UTC))
    client = Client()
    client.force_login(customer)
    html = get(f"/bookings/{booking.pk}/", "en", client)
    assert '<dd data-testid="booking-status">Pending</dd>' in html
    assert "Tuesday, 1 December 2026, 14:30–16:30</time>" in html
    assert "(Ulaanbaatar time)" in html
    assert not CYRILLIC.findall(without_switcher(html))


def test_a_mail_to_a_mongolian_recipient_is_mongolian_with_tugrik_amounts(artist):
    from bookings import notices
    from notifications.services import Message, render

    customer = CustomerFactory(name="Bolor Customer")
    booking = BookingFactory(customer=customer, tattooist=artist, slot=datetime(2026, 12, 1, 6, 30, tzinfo=UTC))
    customer.language = "mn"  # the saved choice (accounts' language field)
    hold = datetime(2026, 11, 29, 4, tzinfo=UTC)
    context = notices._context(
        booking, hold_until=notices._local(booking, hold), hold_until_short=notices._local_short(booking, hold)
    )
    subject, text, html = render(Message(kind="booking_created_customer", context=context), recipient=customer)
    # A short subject: the day and the time on the artist's clock, no zone code (the body names it).
    assert subject == "Oyuka Lines шивээсчинд өгсөн захиалгын урьдчилгаа төлбөрийг 11-р сарын 29, 12:00 хүртэл төлнө үү"
    assert "Сайн байна уу, Bolor Customer," in text
    assert "Баталгаажуулахын тулд 50,000\u00a0₮ урьдчилгаа төлбөрөө төлнө үү" in text
    # the session, in the artist's zone, named as a person says it; the button named as on the page
    assert "2026\u202fоны 12-р сарын 1, мягмар гараг 14:30 (Улаанбаатарын цагаар)" in text
    assert "«Урьдчилгаа төлбөрийг QPay-ээр төлөх» товчийг дарна уу" in text
    assert '<html lang="mn">' in html
    assert "Та Inkbook-д бүртгэлтэй тул энэ имэйлийг хүлээн авч байна." in html

    customer.language = "en"
    subject, text, _ = render(Message(kind="booking_created_customer", context=context), recipient=customer)
    assert subject == "Pay the deposit for your booking with Oyuka Lines by 29 Nov, 12:00"
    assert "To confirm it, pay the deposit of 50,000\u00a0₮" in text
    assert "press “Pay deposit with QPay”" in text
    assert "on Tuesday, 1 December 2026, 14:30 (Ulaanbaatar time)" in text
    assert not CYRILLIC.findall(subject + text)


def test_the_page_scripts_read_their_strings_from_the_javascript_catalogue(artist):
    html = get("/login/", "mn")
    catalogue = html.index('<script src="/jsi18n/?language=mn" defer></script>')
    assert catalogue < html.index('<script src="/static/js/app.js" defer></script>')
    assert '<script src="/jsi18n/?language=en" defer></script>' in get("/login/", "en")
    script = Client().get("/jsi18n/?language=mn", HTTP_ACCEPT_LANGUAGE="mn")
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]
    # Changes only with a deploy: cached an hour, per language.
    assert script["Cache-Control"] == "public, max-age=3600"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in script["Vary"].split(",")}
    body = script.content.decode()  # JSON inside: non-ASCII letters are \u escapes
    assert json.dumps("Эхлээд зураг сонгоно уу.") in body  # portfolio.js's "Choose an image first."
    assert json.dumps("таны цагаар %(time)s") in body  # slots.js
    english = Client().get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert json.dumps("Эхлээд зураг сонгоно уу.") not in english


def test_the_weekday_labels_are_translated_where_the_artist_edits_hours():
    with translation.override("en"):
        assert [str(label) for _, label in Availability.Day.choices][:2] == ["Sunday", "Monday"]
    with translation.override("mn"):
        assert [str(label) for _, label in Availability.Day.choices][:2] == ["Ням", "Даваа"]


def test_every_signed_in_page_speaks_mongolian_and_english(artist):
    customer = CustomerFactory(name="Bolor Customer")
    BookingFactory(customer=customer, tattooist=artist)
    unapproved = TattooistFactory(user__name="New Artist", bio="Dotwork.", approved=False)
    pages = [
        # (who, path, a Mongolian text, its English text)
        (customer, "/bookings/", "<h1>Миний захиалгууд</h1>", "<h1>My bookings</h1>"),
        (customer, "/account/password/", "<h1>Нууц үгээ солих</h1>", "<h1>Change your password</h1>"),
        (artist.user, "/dashboard/", "<h1>Таны хяналтын самбар</h1>", "<h1>Your dashboard</h1>"),
        (artist.user, "/dashboard/", ">Долоо хоногийн ажлын цаг</h2>", ">Weekly hours</h2>"),
        (unapproved.user, "/dashboard/", "<h2>Батлагдахыг хүлээж байна</h2>", "<h2>Awaiting approval</h2>"),
        (None, "/password/reset/", "<h1>Нууц үгээ сэргээх</h1>", "<h1>Reset your password</h1>"),
    ]  # fmt: skip
    for user, path, mongolian, english in pages:
        client = Client()
        if user is not None:
            client.force_login(speaking(user, "mn"))
        html = get(path, "mn", client)
        assert '<html lang="mn">' in html, path
        assert mongolian in html, path
        if user is not None:
            speaking(user, "en")
        html = get(path, "en", client)
        assert '<html lang="en">' in html, path
        assert english in html, path


def test_the_error_pages_speak_the_visitors_language(customer):
    for language, text in (("mn", "Бид энэ хуудсыг олсонгүй"), ("en", "We could not find that page")):
        response = Client().get("/bookings/999999/nope/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 404
        assert f'<html lang="{language}">' in response.content.decode()
        assert text in response.content.decode()
    client = Client()
    client.force_login(speaking(customer, "mn"))
    other = BookingFactory()
    response = client.get(f"/bookings/{other.pk}/", HTTP_ACCEPT_LANGUAGE="mn")
    assert response.status_code == 403
    assert "Танд энэ хуудсыг үзэх эрх байхгүй" in response.content.decode()
