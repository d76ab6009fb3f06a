"""The consent form and the review form in Chromium (issue 31): a customer signs the consent from
the booking page (a first try under 18 is refused next to the field), the artist reads the flagged
answer; after the session the customer reviews it, adds a healed photo straight to the bucket, and
the artist page shows both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, CustomerFactory, TattooistFactory
from bookings.models import BookingStatus, ConsentRecord
from bookings.tests.factories import PaidBookingFactory
from bookings.tests.test_pages_browser import log_in
from reviews.models import Review
from reviews.tests.factories import CompletedBookingFactory
from testing.s3 import png_bytes

pytestmark = pytest.mark.browser


def test_the_customer_signs_the_consent_form_and_the_artist_reads_the_flag(new_page, screenshot, live_server):
    artist = TattooistFactory(user__name="Oyuka Lines")
    customer = CustomerFactory(name="Bolor Customer")
    start = timezone.now() + timedelta(days=5)
    booking = PaidBookingFactory(tattooist=artist, customer=customer, slot=start, ends_at=start + timedelta(hours=2))

    page = new_page()
    log_in(page, customer.email, PASSWORD)
    page.goto(f"/bookings/{booking.pk}/")
    page.get_by_test_id("consent-link").click()
    expect(page.locator("h1")).to_have_text("Consent form")

    underage = (start - timedelta(days=17 * 365)).date().isoformat()
    page.get_by_label("Date of birth").fill(underage)
    for question in (
        "Are you pregnant or breastfeeding?",
        "Do you have a skin condition",
        "Do you have diabetes?",
        "Do you have a heart condition?",
        "Do you have epilepsy or seizures?",
    ):
        page.get_by_role("group", name=question).get_by_label("No").check()
    page.get_by_role("group", name="Do you take blood thinners").get_by_label("Yes").check()
    page.get_by_label("Allergies").fill("Latex")
    page.get_by_label("Your full name, as your signature").fill("Bolor Customer")
    page.get_by_label("My answers are true").check()
    page.get_by_test_id("consent-submit").click()
    expect(page.locator('[data-field="date_of_birth"] .field-errors')).to_contain_text("18 or older")
    assert not ConsentRecord.objects.exists()

    page.get_by_label("Date of birth").fill("1994-03-02")
    page.get_by_label("My answers are true").check()
    page.get_by_test_id("consent-submit").click()
    expect(page.get_by_text("Thank you: the consent form is signed.")).to_be_visible()
    expect(page.get_by_test_id("consent-signed")).to_be_visible()
    screenshot(page, "consent-signed-customer")
    assert ConsentRecord.objects.filter(booking=booking).exists()

    artist_page = new_page()
    log_in(artist_page, artist.user.email, PASSWORD)
    artist_page.goto(f"/bookings/{booking.pk}/")
    expect(artist_page.get_by_test_id("consent-flags")).to_be_visible()
    artist_page.get_by_text("The answers", exact=True).click()
    flagged = artist_page.locator("[data-flagged]")
    expect(flagged).to_have_count(2)  # blood thinners and the allergy
    expect(flagged.nth(1)).to_contain_text("Latex")
    screenshot(artist_page, "consent-answers-artist")


def test_the_customer_reviews_the_session_adds_a_healed_photo_and_the_artist_page_shows_it(
    new_page, screenshot, s3_server, live_server
):
    artist = TattooistFactory(user__name="Oyuka Lines")
    customer = CustomerFactory(name="Bolor Customer")
    booking = CompletedBookingFactory(tattooist=artist, customer=customer, days_ago=22)
    assert booking.status == BookingStatus.COMPLETED

    page = new_page()
    log_in(page, customer.email, PASSWORD)
    page.goto(f"/bookings/{booking.pk}/")
    form = page.get_by_test_id("review-form")
    form.get_by_label("★★★★", exact=True).check()
    form.get_by_label("Your review").fill("Clean lines, healed beautifully.")
    form.get_by_role("button", name="Publish the review").click()
    expect(page.get_by_text("Thank you: your review is published.")).to_be_visible()
    expect(page.get_by_test_id("review-name")).to_have_text("Bolor C.")

    page.get_by_label("Add a photo of the healed tattoo").set_input_files(
        {"name": "healed.png", "mimeType": "image/png", "buffer": png_bytes(400, 300)}
    )
    page.get_by_role("button", name="Upload the photo").click()
    expect(page.get_by_role("img", name="The healed tattoo")).to_be_visible()
    review = Review.objects.get(booking=booking)
    assert (review.rating, review.image_width) == (4, 400)
    assert review.image_url.startswith(s3_server.public_base_url)
    screenshot(page, "review-healed-photo-customer")

    visitor = new_page()
    visitor.goto(f"/artists/{artist.pk}/")
    reviews = visitor.get_by_test_id("reviews")
    expect(reviews.get_by_text("Clean lines, healed beautifully.")).to_be_visible()
    expect(reviews.get_by_role("img", name="The healed tattoo")).to_be_visible()
    expect(visitor.get_by_test_id("rating")).to_contain_text("4.0 (1 review)")
    screenshot(visitor, "artist-page-reviews")
