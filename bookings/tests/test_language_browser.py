"""A visitor whose browser speaks Mongolian books and pays in Mongolian, then reads the same booking
in English through the language switcher (docs/i18n.md), in Chromium against the live app with the
QPay worker and sandbox as real processes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, CustomerFactory, TattooistFactory
from bookings.models import Booking, BookingStatus, PaymentStatus
from bookings.tests.helpers import open_every_day
from testing.language import speaking

pytestmark = pytest.mark.browser

WAIT_MS = 60_000  # a ceiling for the payment round trip (sandbox → worker → app), not a speed claim


def expect_mongolian(page, heading):
    expect(page.locator("html")).to_have_attribute("lang", "mn")
    expect(page.locator("h1")).to_have_text(heading)


def test_a_mongolian_browser_books_and_pays_in_mongolian_then_switches_to_english(
    new_page, screenshot, qpay_worker, live_server, settings
):
    settings.PAYMENT_NOTIFY_URL = f"{live_server.url}/api/payments/notify"
    artist = TattooistFactory(user__name="Oyuka Lines", bio="Fine line and botanical work.")
    open_every_day(artist)
    customer = speaking(CustomerFactory(name="Bolor Customer", email="bolor.mn@example.test"), "mn")  # confirmed

    page = new_page(locale="mn-MN", timezone_id="Europe/Berlin")  # Chromium sends Accept-Language: mn-MN

    # --- signs in, in Mongolian
    page.goto("/login/")
    expect_mongolian(page, "Нэвтрэх")
    page.locator("input[name=email]").fill(customer.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Нэвтрэх").click()
    expect(page.get_by_role("button", name="Гарах")).to_be_visible()

    # --- books the first free time on the artist's page
    page.goto(f"/artists/{artist.pk}/")
    expect_mongolian(page, "Oyuka Lines")
    expect(page.locator("#booking-heading")).to_have_text("Цаг захиалах")
    expect(page.get_by_test_id("min-deposit")).to_have_text("50,000\u00a0₮")
    first = page.locator("select[name=slot] option").first
    # 24-hour; slots.js adds the visitor's own time as the server writes times (Y.m.d H:i).
    expect(first).to_contain_text(re.compile(r"^\d\d:\d\d · таны цагаар \d{4}\.\d\d\.\d\d \d\d:\d\d$"))
    expect(page.locator("select[name=slot] optgroup").first).to_have_attribute(
        # the weekday after the date, as CLDR mn writes it (tattoo/core/l10n.py)
        "label",
        re.compile(r"^\d{4}\u202fоны \d{1,2}-р сарын \d{1,2}, (даваа|мягмар|лхагва|пүрэв|баасан|бямба|ням) гараг$"),
    )
    screenshot(page, "language-artist-mn")
    page.locator("select[name=slot]").select_option(first.get_attribute("value"))
    page.get_by_role("button", name="Энэ цагийг захиалах").click()
    expect(page).to_have_url(re.compile(r"/bookings/\d+/$"))
    booking = Booking.objects.get(customer=customer)
    expect_mongolian(page, f"Захиалга №{booking.pk}")
    expect(page.get_by_test_id("booking-status")).to_have_text("Хүлээгдэж буй")

    # --- pays the deposit in the QPay sandbox; the page turns to confirmed by itself
    page.get_by_role("button", name="Урьдчилгаа төлбөрийг QPay-ээр төлөх").click()
    expect(page.get_by_test_id("qr")).to_be_visible()
    expect(page.get_by_role("img", name="QPay QR код, дүн: 50,000\u00a0₮")).to_be_visible()
    checkout_url = page.get_by_test_id("checkout-link").get_attribute("href")
    sandbox = new_page()
    sandbox.goto(checkout_url)
    sandbox.get_by_role("button", name="Pay").click()
    expect(sandbox.locator("body")).to_contain_text('"payment_status":"PAID"')
    expect(page.get_by_test_id("booking-status")).to_have_text("Баталгаажсан", timeout=WAIT_MS)
    expect(page.get_by_test_id("payment-status")).to_have_text("50,000\u00a0₮ · Төлөгдсөн")
    expect(page.get_by_test_id("events")).to_contain_text("баталгаажсан")
    expect_mongolian(page, f"Захиалга №{booking.pk}")
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == (BookingStatus.CONFIRMED, PaymentStatus.PAID)
    booking_url = page.url
    screenshot(page, "language-booking-mn")

    # --- the switcher: the same page, the same booking, now in English
    switcher = page.get_by_test_id("language-switcher")
    expect(switcher.get_by_role("button", name="Монгол")).to_have_attribute("aria-current", "true")
    switcher.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == booking_url
    expect(page.locator("h1")).to_have_text(f"Booking #{booking.pk}")
    expect(page.get_by_test_id("booking-status")).to_have_text("Confirmed")
    expect(page.get_by_test_id("payment-status")).to_have_text("50,000\u00a0₮ · Paid")
    expect(page.get_by_test_id("language-switcher").get_by_role("button", name="English")).to_have_attribute(
        "aria-current", "true"
    )
    screenshot(page, "language-booking-en")

    # --- and it stays English on the next page, whatever the browser says
    page.get_by_role("link", name="My bookings").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("booking-row")).to_contain_text("Confirmed")
