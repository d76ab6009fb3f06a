"""No English reaches a Mongolian reader: every page and every mail, rendered in `mn`, holds no
Latin-script word outside a short allow-list (brands, file formats, the language codes and the
switcher's "English"; URLs and e-mail addresses are removed first). The pages are found from the
URL resolver and the mails from templates/notifications/, so a page or a mail that a later change
adds is scanned without touching this file (docs/i18n.md).

People's own words are Cyrillic here, so any Latin word left is the product's.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.functional import lazy

from accounts.tests.factories import CustomerFactory, TattooistFactory
from accounts.tokens import AFTERCARE, EMAIL_VERIFY, PASSWORD_RESET, mail_token_make, unsubscribe_token_make
from bookings import notices
from bookings.models import BookingEvent, status_word
from bookings.tests.factories import SIGNED_FORM, BookingFactory, ConsentFactory, TimeOffFactory
from bookings.tests.helpers import open_every_day
from bookings.tests.test_event_notes import FLOW_NOTES
from consultations.models import ConsultationMessage
from consultations.tests.factories import ConsultationFactory, ProjectFactory, QuoteFactory
from ideas.tests.factories import TattooIdeaFactory
from notifications.services import Message, render
from portfolio.tests.factories import PortfolioItemFactory
from reviews.tests.factories import CompletedBookingFactory, ReviewFactory

pytestmark = pytest.mark.django_db

ALLOWED = {
    "Inkbook", "QPay", "QR", "JPEG", "PNG", "WebP", "HEIC", "JavaScript", "CSV", "Instagram",
    "English",  # the language switcher names English in English
    "mn", "en",  # "монгол (mn) эсвэл англи (en)"
    "CARD",  # QPay's payment type, a code in a ledger note
}  # fmt: skip
# Paths that are not pages a person reads (machines, staff, scripts).
NOT_PAGES = ("admin/", "api/", "i18n/", "jsi18n/", "healthz")
# Attributes a person reads.
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "data-confirm"}
URL_OR_EMAIL = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+")
WORD = re.compile(r"\w+")
LATIN = re.compile(r"[A-Za-z]")


class _Readable(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        self.parts += [value for name, value in attrs.items() if name in READ_ATTRIBUTES and value]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def readable(html: str) -> str:
    parser = _Readable()
    parser.feed(html)
    return " ".join(parser.parts)


def english_words(text: str) -> set[str]:
    text = URL_OR_EMAIL.sub(" ", text)
    return {w for w in WORD.findall(text) if LATIN.search(w) and not re.search(r"\d", w)} - ALLOWED


@pytest.fixture
def world(db):
    """Everything a page can show, with Cyrillic words for what people write."""
    # BookingFactory's default starts walk forward 3 hours per booking made in this process; from a
    # fresh count the ones made below (the project's session, ...) stay on day 3, clear of the
    # explicit days 5 and 6 (otherwise the random order could land one on them: bookings_no_overlap).
    BookingFactory.reset_sequence(0)
    artist = TattooistFactory(user__name="Оюука", bio="Нарийн шугамын шивээс.", user__language="mn")
    open_every_day(artist)
    image = "/static/img/favicon.svg"  # our own origin: the browser check loads pages under the CSP
    PortfolioItemFactory(tattooist=artist, description="Цэцэг", style_tags=["цэцэг"], image_url=image)
    PortfolioItemFactory(tattooist=artist, image_url=image)  # no description: the alt text is the product's
    TimeOffFactory(tattooist=artist, reason="Аялал")
    pending_artist = TattooistFactory(user__name="Шинэ", approved=False, approved_at=None, user__language="mn")
    customer = CustomerFactory(name="Болор", language="mn")
    booking = BookingFactory(
        customer=customer, tattooist=artist, notes="Гар дээр", slot=timezone.now() + timedelta(days=5)
    )
    for note, _english, _mongolian in FLOW_NOTES:
        if "Staff agreed" not in note:
            BookingEvent.objects.create(
                booking=booking, actor=None, from_status="pending", to_status="pending", note=note
            )
    TattooIdeaFactory(booking=booking, description="Сарнай")
    TattooIdeaFactory(booking=booking, description="")
    # a signed consent with a flag, and a session that is over with a review and the artist's reply
    ConsentFactory(booking=booking, form={**SIGNED_FORM, "signature": "Болор", "flags": ["allergies"]})
    done = CompletedBookingFactory(customer=customer, tattooist=artist, notes="Мөр")
    review = ReviewFactory(booking=done, text="Сайхан", reply="Баярлалаа")
    unsigned = BookingFactory(customer=customer, tattooist=artist, slot=timezone.now() + timedelta(days=6))
    # custom work: a request with a message and an open quote, and a project with its first session
    consultation = ConsultationFactory(
        customer=customer, tattooist=artist, status="quoted", description="Тогоруу", availability_note="Амралтын өдөр"
    )
    ConsultationMessage.objects.create(consultation=consultation, author=customer, body="Сайн байна уу")
    quote = QuoteFactory(consultation=consultation, note="Хоёр удаа")
    project = ProjectFactory(customer=customer, tattooist=artist, consultation__description="Луу")
    return {
        "artist": artist,
        "pending_artist": pending_artist,
        "customer": customer,
        "booking": booking,
        "unsigned": unsigned,
        "kwargs": {
            "tattooist_id": artist.pk,
            "booking_id": booking.pk,
            "token": artist.user.calendar_token,
            "availability_id": artist.availability.first().pk,
            "time_off_id": artist.time_off.first().pk,
            "item_id": artist.portfolio_items.first().pk,
            "review_id": review.pk,
            "consultation_id": consultation.pk,
            "quote_id": quote.pk,
            "project_id": project.pk,
        },
    }


def page_patterns(resolver=None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    """(route, pattern) of every URL the site answers, its includes walked."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += page_patterns(entry, route)
        elif not route.startswith(NOT_PAGES):
            found.append((route, entry))
    return found


def path_of(route: str, kwargs: dict) -> str:
    def fill(match):
        name = match.group(2)
        assert name in kwargs, f"a page takes <{name}>: give the scan a value for it ({route})"
        return str(kwargs[name])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route).lstrip("^").rstrip("$")


def mongolian(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="mn")
    if user is not None:
        client.force_login(user)
    return client


def scan(client: Client, path: str, method: str = "get", **data) -> tuple[int, str]:
    response = getattr(client, method)(path, data or None)
    html = response.content.decode() if "text/html" in response.get("Content-Type", "") else ""
    return response.status_code, html


def test_every_page_in_mongolian_has_no_english_word(world):
    readers = {
        "visitor": mongolian(),
        "customer": mongolian(world["customer"]),
        "artist": mongolian(world["artist"].user),
        "new artist": mongolian(world["pending_artist"].user),
    }
    routes = page_patterns()
    assert any(r.startswith("bookings/") for r, _ in routes)
    assert any(r.startswith("login") for r, _ in routes)
    pages: dict[str, str] = {}
    for route, _pattern in routes:
        path = path_of(route, world["kwargs"])
        for who, client in readers.items():
            status, html = scan(client, path)
            if status == 200 and html:
                pages[f"{path} as {who}"] = html
    # Pages behind a mailed link, error pages and forms answered with their errors.
    customer = world["customer"]
    links = {
        "/verify-email/": {"token": mail_token_make(customer, EMAIL_VERIFY)},
        "/password/reset/": {"token": mail_token_make(customer, PASSWORD_RESET)},
        "/unsubscribe/": {"token": unsubscribe_token_make(customer)},
        "/unsubscribe/aftercare/": {"token": unsubscribe_token_make(customer, AFTERCARE)},
    }
    for path, query in links.items():
        status, html = scan(readers["visitor"], f"{path}?{urlencode(query)}")
        assert status == 200, path
        pages[f"{path}?token"] = html
    pages["404"] = scan(readers["visitor"], "/no-such-page/")[1]
    pages["403"] = scan(mongolian(CustomerFactory(language="mn")), f"/bookings/{world['booking'].pk}/")[1]
    pages["login with errors"] = scan(readers["visitor"], "/login/", "post", email="x", password="")[1]
    pages["signup with errors"] = scan(readers["visitor"], "/signup/", "post")[1]
    consent_page = f"/bookings/{world['unsigned'].pk}/consent/"
    pages["consent form"] = scan(readers["customer"], consent_page)[1]
    pages["consent with errors"] = scan(readers["customer"], consent_page, "post", date_of_birth="2020-01-01")[1]
    assert "consent-form" in pages["consent form"]
    assert "field-errors" in pages["consent with errors"]

    kw = world["kwargs"]
    custom = (
        f"/consultations/{kw['consultation_id']}/",
        f"/quotes/{kw['quote_id']}/",
        f"/projects/{kw['project_id']}/",
    )
    for must in ("/", "/login/", "/bookings/", f"/bookings/{world['booking'].pk}/", "/dashboard/", *custom):
        assert any(name.startswith(f"{must} as ") for name in pages), f"{must} was not scanned"
    found = {name: sorted(english_words(readable(html))) for name, html in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}
    assert all('lang="mn"' in html for html in pages.values())


# --- mails -----------------------------------------------------------------------------------------

MAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications"


def mail_kinds() -> list[str]:
    return sorted(p.stem for p in MAIL_TEMPLATES.glob("*.txt"))


def every_mail_context(booking) -> dict:
    """One context for every mail: what the flows hand over (bookings/notices.py, disputes,
    refunds, account mails). A mail that needs a new value shows `MISSING name` until it is here."""
    hold = booking.slot - timedelta(days=1)
    return notices._context(
        booking,
        hold_until=notices._local(booking, hold),
        hold_until_short=notices._local_short(booking, hold),
        before=notices._local(booking, booking.slot - timedelta(days=1)),
        deposit_fate=notices._deposit_fate(booking),
        paid=True,
        reason="Шивээс буруу болсон",
        resolution="Буцаан олгоно",
        refund=Decimal("10000"),
        amount=Decimal("10000"),
        status=lazy(status_word, str)("completed"),  # as disputes/services.py: in the reader's language
        note="Баяр хүргэе",
        minutes=60,
        settings_url=f"{settings.SITE_URL}/account/settings/",
        consent_url=f"{settings.SITE_URL}/bookings/{booking.pk}/consent/",
        aftercare_text="",
        review_url=f"{settings.SITE_URL}/bookings/{booking.pk}/#review",
        reviewed=False,
        healed_days=21,
        # custom work (consultations/notices.py): what a request, a quote and a project's session add
        placement="шуу",
        size="10 × 15 см",
        colour="хар саарал",
        budget="500,000 ₮",
        price="300,000 ₮ – 450,000 ₮",
        sessions=3,
        session_length="180 минут",
        applies_to="сүүлийн удаад тооцогдоно",
        expires=notices._local(booking, booking.slot - timedelta(days=2)),
        expires_short=notices._local_short(booking, booking.slot - timedelta(days=2)),
        author_name="Болор",
        seq=2,
    )


def test_the_scan_finds_every_mail_template():
    kinds = mail_kinds()
    assert {"booking_created_customer", "booking_confirmed_artist", "password_reset", "refund_done"} <= set(kinds)


@pytest.mark.parametrize("kind", mail_kinds())
def test_every_mail_in_mongolian_has_no_english_word(world, kind):
    templates = [
        {**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"], "string_if_invalid": "MISSING %s"}}
    ]
    with override_settings(TEMPLATES=templates):
        subject, text, html = render(
            Message(
                kind=kind,
                context=every_mail_context(world["booking"]),
                action_url=f"{settings.SITE_URL}/bookings/{world['booking'].pk}/",
                action_label=notices._("Open the booking"),
            ),
            recipient=world["customer"],
        )
    assert "MISSING" not in subject + text, f"{kind}: give every_mail_context the value it needs"
    assert english_words(subject + "\n" + text + "\n" + readable(html)) == set(), kind
    assert '<html lang="mn">' in html
