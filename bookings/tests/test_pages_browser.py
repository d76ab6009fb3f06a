"""The product story in a real browser (Chromium via Playwright) against the live app, with the
QPay worker + sandbox and the local S3 server running as real processes."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import mfa
from accounts.models import Tattooist, User
from accounts.tests.factories import PASSWORD, AdminFactory
from bookings.models import Availability, Booking
from bookings.tests.factories import ConsentFactory
from ideas.models import TattooIdea
from portfolio.models import PortfolioItem
from testing.browser import loaded_image_width
from testing.s3 import png_bytes

pytestmark = pytest.mark.browser

WAIT_MS = 60_000  # a ceiling for the payment round trip (sandbox → worker → app), not a speed claim


def sign_up(page, *, role_label, name, email, password, bio=""):
    page.goto("/signup/")
    page.get_by_label(role_label).check()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    if bio:
        page.get_by_label("Bio (artists)").fill(bio)
    page.get_by_role("button", name="Sign up").click()


def log_in(page, email, password, otp=None):
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    if otp is not None:
        page.get_by_label("One-time code (staff only)").fill(otp)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def staff_approves(page, artist_name):
    """Through the Django admin's approval action (with its note page)."""
    page.goto("/admin/accounts/tattooist/")
    row = page.locator("#result_list tbody tr").filter(has_text=artist_name)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("approve_artists")
    page.locator("button[name=index], input[name=index]").first.click()
    page.get_by_label("Note").fill("Portfolio checked.")
    page.get_by_role("button", name="Approve artists").or_(page.locator('input[value="Approve artists"]')).click()
    expect(page.get_by_text("1 artist(s) approved.")).to_be_visible()


def test_an_artist_is_approved_a_customer_books_and_pays_and_the_artist_completes(
    new_page, screenshot, qpay_worker, s3_server, live_server, settings
):
    settings.PAYMENT_NOTIFY_URL = f"{live_server.url}/api/payments/notify"

    # --- the artist signs up and waits for approval
    artist = new_page()
    sign_up(
        artist,
        role_label="Tattoo artist",
        name="Oyuka Lines",
        email="oyuka@example.test",
        password="oyuka-lines-pass-1",
        bio="Fine line and botanical work.",
    )
    expect(artist.get_by_test_id("dashboard-awaiting-approval")).to_be_visible()
    profile = Tattooist.objects.get(user__email="oyuka@example.test")

    # --- staff approve the artist in the Django admin (reached from the navigation)
    staff_user = AdminFactory(name="Staff Sara")
    staff = new_page()
    log_in(staff, staff_user.email, PASSWORD, otp=mfa.current_code(mfa.enrol(staff_user)))
    staff.get_by_role("link", name="Admin").click()
    staff_approves(staff, "Oyuka Lines")
    profile.refresh_from_db()
    assert profile.approved

    # --- the artist adds hours for the next two days (in their zone) and uploads a portfolio image
    artist.goto("/dashboard/")
    expect(artist.get_by_test_id("dashboard-awaiting-approval")).to_have_count(0)
    tz = ZoneInfo(profile.timezone)
    today = timezone.now().astimezone(tz).date()
    for offset in (1, 2):
        day = today + timedelta(days=offset)
        artist.get_by_label("Day", exact=True).select_option(str((day.weekday() + 1) % 7))
        artist.get_by_label("From", exact=True).fill("10:00")
        artist.get_by_label("Until", exact=True).fill("16:00")
        artist.get_by_role("button", name="Add hours").click()
        expect(artist.get_by_text("Hours added.")).to_be_visible()
    assert Availability.objects.filter(tattooist=profile).count() == 2

    artist.get_by_label("Image", exact=True).set_input_files(
        {"name": "rose.png", "mimeType": "image/png", "buffer": png_bytes(64, 64)}
    )
    artist.get_by_label("Description").fill("Rose on the forearm")
    artist.get_by_label("Styles").fill("Fine line, botanical")
    artist.get_by_role("button", name="Upload to portfolio").click()
    expect(artist.get_by_test_id("dashboard-portfolio-item")).to_have_count(1)
    item = PortfolioItem.objects.get(tattooist=profile)
    assert item.image_url.startswith(s3_server.public_base_url)
    assert item.style_tags == ["fine line", "botanical"]
    screenshot(artist, "dashboard-artist")

    # --- the public page shows the image (served by the bucket) and the slot picker
    visitor = new_page(timezone_id="Europe/Berlin")
    visitor.goto(f"/artists/{profile.pk}/")
    image = visitor.get_by_role("img", name="Rose on the forearm")
    expect(image).to_be_visible()
    assert loaded_image_width(visitor, image) == 64
    expect(visitor.get_by_test_id("slot-list")).to_be_visible()
    expect(visitor.get_by_role("link", name="Log in to book")).to_be_visible()

    # --- a customer (browsing from Berlin) signs up, books the first free slot
    customer = new_page(timezone_id="Europe/Berlin")
    sign_up(
        customer, role_label="Customer", name="Bolor Customer", email="bolor@example.test", password="bolor-pass-12"
    )
    # ...who must confirm the address first: the booking form says so, with a resend button
    customer.goto(f"/artists/{profile.pk}/")
    expect(customer.get_by_test_id("email-unverified")).to_be_visible()
    expect(customer.get_by_role("button", name="Send the link again")).to_be_visible()
    from django.core import mail

    from notifications import account_mail
    from notifications.models import Outbox
    from notifications.services import outbox_send

    signed_up = User.objects.get(email="bolor@example.test")
    account_mail.verify_email_send(user_id=signed_up.pk, nonce="signup")  # the signup's mail job
    # The link is made when the mail is sent (notifications/links.py): read it from the sent mail.
    outbox_send(outbox_id=Outbox.objects.get(kind="verify_email").pk)
    link = re.search(r"http\S+/verify-email/\?token=\S+", mail.outbox[-1].body).group(0)
    customer.goto("/verify-email/" + link.split("/verify-email/", 1)[1])  # the mailed link, on this server
    customer.get_by_role("button", name="Confirm my address").click()
    expect(customer.get_by_text("Your e-mail address is confirmed.")).to_be_visible()
    customer.goto(f"/artists/{profile.pk}/")
    select = customer.get_by_label("Time")
    first = select.locator("option").first
    expect(first).to_contain_text("your time")  # the visitor's own zone, added by slots.js
    # the visitor's zone named in the page's language (Intl), not by its IANA code
    expect(customer.locator("[data-visitor-zone]")).to_have_text(
        re.compile(r"^Central European (Standard|Summer) Time$")
    )
    expect(customer.get_by_label("Deposit (MNT)")).to_have_value(f"{profile.min_deposit:.2f}")
    screenshot(customer, "artist-page-booking")
    chosen = first.get_attribute("value")
    select.select_option(chosen)
    customer.get_by_label("Notes for the artist").fill("A small rose, about 5 cm")
    customer.get_by_role("button", name="Book this time").click()
    expect(customer).to_have_url(re.compile(r"/bookings/\d+/$"))
    booking = Booking.objects.get(customer__email="bolor@example.test")
    assert booking.slot.strftime("%Y-%m-%dT%H:%M:%SZ") == chosen
    expect(customer.get_by_test_id("booking-status")).to_have_text("Pending")

    # --- pay the deposit in the QPay sandbox; the page turns to confirmed by itself
    customer.get_by_role("button", name="Pay deposit with QPay").click()
    expect(customer.get_by_test_id("qr")).to_be_visible()
    expect(customer.get_by_role("button", name="I have paid")).to_be_visible()
    screenshot(customer, "booking-payment")
    checkout_url = customer.get_by_test_id("checkout-link").get_attribute("href")
    sandbox = new_page()
    sandbox.goto(checkout_url)
    sandbox.get_by_role("button", name="Pay").click()
    expect(sandbox.locator("body")).to_contain_text('"payment_status":"PAID"')  # the sandbox's answer
    # No reload here: static/js/payment.js notices the change and refreshes the page.
    expect(customer.get_by_test_id("booking-status")).to_have_text("Confirmed", timeout=WAIT_MS)
    expect(customer.get_by_test_id("payment-status")).to_contain_text("Paid")
    expect(customer.get_by_test_id("payment")).to_have_count(0)
    expect(customer.get_by_test_id("events")).to_contain_text("confirmed")
    screenshot(customer, "booking-confirmed")
    customer.set_viewport_size({"width": 375, "height": 800})  # and it fits a phone
    assert customer.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(customer, "booking-confirmed-phone-375")
    customer.set_viewport_size({"width": 1280, "height": 800})

    customer.get_by_role("link", name="My bookings").click()
    expect(customer.get_by_test_id("booking-row")).to_contain_text("Confirmed")

    # --- the customer shares an idea with a reference image; the artist sees it on the same page
    customer.goto(f"/bookings/{booking.pk}/")
    customer.get_by_label("Your idea").fill("Rose with a thin stem")
    customer.get_by_label("Reference image").set_input_files(
        {"name": "ref.png", "mimeType": "image/png", "buffer": png_bytes(48, 48, (20, 120, 40))}
    )
    customer.get_by_role("button", name="Post idea").click()
    shared = customer.get_by_role("img", name="Reference image: Rose with a thin stem")
    expect(shared).to_be_visible()
    idea = TattooIdea.objects.get(booking=booking)
    # private: stored in the private bucket, shown to the parties through signed URLs only
    assert idea.image_url == s3_server.private_object_url(idea.image_key)
    assert "X-Amz-Signature=" in shared.get_attribute("src")
    screenshot(customer, "booking-ideas-customer")
    artist.goto(f"/bookings/{booking.pk}/")
    seen = artist.get_by_role("img", name="Reference image: Rose with a thin stem")
    expect(seen).to_be_visible()
    assert loaded_image_width(artist, seen) == 48

    # --- the artist sees it on the dashboard, and completes it once the session has started
    artist.goto("/dashboard/")
    row = artist.get_by_test_id("upcoming-booking").filter(has_text="Bolor Customer")
    expect(row).to_contain_text("Confirmed")
    expect(row.get_by_role("button", name="Mark completed")).to_have_count(0)  # not before the start
    started = timezone.now() - timedelta(minutes=5)  # the session day came
    Booking.objects.filter(pk=booking.pk).update(slot=started, ends_at=started + (booking.ends_at - booking.slot))
    ConsentFactory(booking=booking)  # signed (the form's page: reviews/tests/test_pages_browser.py)
    artist.goto("/dashboard/")
    row = artist.get_by_test_id("upcoming-booking").filter(has_text="Bolor Customer")
    row.get_by_role("button", name="Mark completed").click()
    expect(artist.get_by_text("Booking completed.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "completed"
    artist.goto(f"/bookings/{booking.pk}/")
    expect(artist.get_by_test_id("booking-status")).to_have_text("Completed")
    screenshot(artist, "booking-completed-artist")
