"""Custom work in a real browser (Chromium via Playwright) against the live app, with the local S3
server and the QPay worker + sandbox as real processes: a customer on a phone asks for a
consultation with a photo, the artist answers with a quote of two proposed starts picked from
their free times, the customer accepts and pays the deposit in the sandbox, and books the next
session on the project page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, CustomerFactory, TattooistFactory
from bookings.models import Booking
from bookings.tests.helpers import open_every_day
from bookings.tests.test_pages_browser import WAIT_MS, log_in
from consultations.models import Consultation, ConsultationImage, Project, Quote
from testing.s3 import png_bytes

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 375, "height": 800}, "is_mobile": True, "has_touch": True}


def test_a_request_becomes_a_quote_a_paid_deposit_and_a_second_session(
    new_page, screenshot, qpay_worker, s3_server, live_server, settings
):
    settings.PAYMENT_NOTIFY_URL = f"{live_server.url}/api/payments/notify"
    artist = TattooistFactory(booking_mode="request", user__name="Khulan Ink", session_minutes=120)
    open_every_day(artist)
    customer = CustomerFactory(name="Bolor Customer")

    # --- the customer, on a phone, finds the way in from the artist page and describes the idea
    phone = new_page(**PHONE)
    log_in(phone, customer.email, PASSWORD)
    phone.goto(f"/artists/{artist.pk}/")
    expect(phone.get_by_role("button", name="Book this time")).to_have_count(0)
    phone.get_by_test_id("request-link").click()
    expect(phone).to_have_url(re.compile(rf"/artists/{artist.pk}/request/$"))
    phone.get_by_label("Your idea").fill("A crane flying over pine branches, fine line.")
    phone.get_by_label("Where on the body").select_option("forearm")
    phone.get_by_label("Width (cm)").fill("8")
    phone.get_by_label("Height (cm)").fill("14")
    phone.get_by_label("Black and grey").check()
    phone.get_by_label("Budget up to (₮)").fill("400000")
    phone.get_by_label("Photos").set_input_files(
        {"name": "arm.png", "mimeType": "image/png", "buffer": png_bytes(96, 96, (180, 140, 120))}
    )
    expect(phone.locator("[data-photo-list] li[data-uploaded]")).to_have_count(1)  # straight to the bucket
    phone.get_by_label("Date of birth").fill("1996-04-12")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # fits the phone
    screenshot(phone, "consultation-request-phone-375")
    phone.get_by_role("button", name="Send the request").click()
    expect(phone).to_have_url(re.compile(r"/consultations/\d+/$"))
    expect(phone.get_by_test_id("consultation-status")).to_have_text("Waiting for the artist")
    consultation = Consultation.objects.get()
    photo = ConsultationImage.objects.get(consultation=consultation)
    assert photo.image_url == s3_server.private_object_url(photo.image_key)  # private, re-encoded
    shown = phone.get_by_role("img", name="Photo of the request")
    expect(shown).to_be_visible()
    assert "X-Amz-Signature=" in shown.get_attribute("src")

    # --- the artist finds it in the inbox and quotes two of their free starts for 180 minutes
    desk = new_page()
    log_in(desk, artist.user.email, PASSWORD)
    desk.get_by_role("link", name="Requests").click()
    desk.get_by_test_id("consultation-row").get_by_role("link").first.click()
    expect(desk.get_by_role("img", name="Photo of the request")).to_be_visible()
    desk.get_by_label("Session length (minutes)").fill("180")
    desk.get_by_role("button", name="Show free times for this length").click()
    form = desk.get_by_test_id("quote-form")
    form.get_by_label("Price from (₮)").fill("300000")
    form.get_by_label("Price up to (₮)").fill("350000")
    form.get_by_label("Sessions").fill("2")
    form.get_by_label("Deposit (₮)").fill("100000")
    boxes = form.locator('input[name="proposed_slots"]')
    expect(boxes.first).to_be_visible()
    boxes.nth(0).check()
    boxes.nth(1).check()
    form.get_by_role("button", name="Send the quote").click()
    expect(desk.get_by_text("Quote sent (version 1).")).to_be_visible()
    quote = Quote.objects.get()
    assert (quote.session_minutes, quote.sessions, len(quote.proposed_slots)) == (180, 2, 2)
    screenshot(desk, "consultation-quoted-artist")

    # --- the customer accepts at the first proposed start and pays in the QPay sandbox
    phone.reload()
    phone.get_by_role("link", name="See the quote").click()
    expect(phone.get_by_test_id("quote-price")).to_contain_text("300,000")
    screenshot(phone, "quote-phone")
    phone.get_by_role("button", name="Accept the quote").click()
    expect(phone.get_by_text("Quote accepted.")).to_be_visible()
    first = Booking.objects.get()
    assert (first.slot, first.ends_at - first.slot) == (min(quote.proposed_slots), first.ends_at - first.slot)
    assert first.deposit_amount == 100000
    phone.get_by_test_id("pay").get_by_role("button").click()
    expect(phone.get_by_test_id("qr")).to_be_visible()
    checkout_url = phone.get_by_test_id("checkout-link").get_attribute("href")
    sandbox = new_page()
    sandbox.goto(checkout_url)
    sandbox.get_by_role("button", name="Pay").click()
    expect(phone.get_by_test_id("booking-status")).to_have_text("Confirmed", timeout=WAIT_MS)
    assert Project.objects.get().status == "active"

    # --- the project page: progress, the deposit, and the next session after the heal time
    phone.goto(f"/projects/{Project.objects.get().pk}/")
    expect(phone.get_by_test_id("progress")).to_have_text("0 of 2 sessions done")
    expect(phone.get_by_test_id("deposit-paid")).to_contain_text("100,000")
    phone.get_by_role("button", name="Book this session").click()
    expect(phone.get_by_text(re.compile("^Session booked for"))).to_be_visible()
    expect(phone.get_by_test_id("session")).to_have_count(2)
    second = Booking.objects.exclude(pk=first.pk).get()
    assert (second.status, second.deposit_amount) == ("confirmed", 0)
    assert (second.slot - first.ends_at).days >= artist.heal_days - 1
    screenshot(phone, "project-phone")
