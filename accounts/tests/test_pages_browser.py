"""Account and public pages in a real browser (Chromium via Playwright) against the live server."""

from __future__ import annotations

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from accounts.models import Tattooist, User
from accounts.tests.factories import TattooistFactory
from bookings.tests.factories import AvailabilityFactory
from portfolio.models import PortfolioItem
from testing.browser import loaded_image_width

pytestmark = pytest.mark.browser

IMAGE = "/static/img/favicon.svg"  # a same-origin image the CSP allows


def add_work(artist, *, description, tags=()):
    return PortfolioItem.objects.create(
        tattooist=artist,
        image_url=IMAGE,
        image_key=f"portfolio/{artist.pk}/{description}",
        description=description,
        style_tags=list(tags),
    )


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def log_in(page, email, password):
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_customer_signs_up_logs_out_logs_in_and_changes_the_password(page, screenshot):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_label("Bio (artists)")).to_be_hidden()  # only artists write a bio
    screenshot(page, "signup")
    page.get_by_label("Name").fill("Saraa Customer")
    page.get_by_label("Email").fill("saraa@example.test")
    page.get_by_label("Password").fill("password")  # too common: refused by the service
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#id_password_error")).to_contain_text("too common")
    expect(page.get_by_label("Password")).to_be_focused()
    page.get_by_label("Password").fill("saraa-first-pass-1")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("status").filter(has_text="Welcome to Inkbook, Saraa Customer")).to_be_visible()
    expect(page.get_by_role("link", name="My bookings")).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)

    log_out(page)
    log_in(page, "saraa@example.test", "wrong-password-x")
    expect(page.get_by_role("alert")).to_contain_text("Email or password is incorrect.")
    log_in(page, "SARAA@example.test", "saraa-first-pass-1")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_role("link", name="Account").click()
    page.get_by_label("Current password").fill("saraa-first-pass-1")
    page.get_by_label("New password", exact=True).fill("saraa-second-pass-2")
    page.get_by_label("New password again").fill("saraa-second-pass-2")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    # The session survived the change (update_session_auth_hash).
    page.goto("/account/password/")
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()

    log_out(page)
    log_in(page, "saraa@example.test", "saraa-second-pass-2")
    expect(page.get_by_role("link", name="My bookings")).to_be_visible()


def test_an_artist_signs_up_and_sees_the_awaiting_approval_notice_until_approved(page, screenshot):
    page.goto("/signup/")
    page.get_by_label("Tattoo artist").check()
    expect(page.get_by_label("Bio (artists)")).to_be_visible()
    page.get_by_label("Name").fill("Ganaa Ink")
    page.get_by_label("Email").fill("ganaa@example.test")
    page.get_by_label("Password").fill("ganaa-ink-pass-1")
    page.get_by_label("Bio (artists)").fill("Blackwork and ornamental pieces.")
    page.get_by_role("button", name="Sign up").click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_test_id("awaiting-approval")).to_contain_text("Awaiting approval")
    expect(page.get_by_test_id("dashboard-awaiting-approval")).to_be_visible()
    screenshot(page, "dashboard-awaiting-approval")
    profile = Tattooist.objects.get(user__email="ganaa@example.test")
    assert (profile.bio, profile.approved) == ("Blackwork and ornamental pieces.", False)

    page.goto("/")
    expect(page.get_by_text("Ganaa Ink")).to_have_count(0)  # not public before approval

    Tattooist.objects.filter(pk=profile.pk).update(approved=True)
    page.goto("/dashboard/")
    expect(page.get_by_test_id("awaiting-approval")).to_have_count(0)
    page.goto("/")
    expect(page.get_by_role("link", name="Ganaa Ink")).to_be_visible()

    # The signed-in navigation still fits a phone.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/dashboard/")
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "dashboard-phone-375")


def test_home_lists_approved_artists_filters_by_style_and_searches(page, new_page, screenshot):
    bold = TattooistFactory(user__name="Bold Bataa", bio="Traditional flash, bold lines.")
    quiet = TattooistFactory(user__name="Quiet Khulan", bio="Fine line botanicals.")
    TattooistFactory(user__name="Pending Puje", approved=False, approved_at=None)
    add_work(bold, description="Eagle flash", tags=["traditional"])
    add_work(quiet, description="Peony", tags=["fineline"])

    page.goto("/")
    cards = page.get_by_test_id("artist-card")
    expect(cards).to_have_count(2)
    expect(page.get_by_text("Pending Puje")).to_have_count(0)
    expect(page.get_by_role("img", name="Eagle flash")).to_be_visible()
    screenshot(page, "home")

    page.get_by_role("combobox", name="Style").select_option("fineline")
    page.get_by_role("button", name="Search").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Quiet Khulan")

    page.get_by_role("link", name="Show all").click()
    page.get_by_role("searchbox", name="Search").fill("flash")
    page.keyboard.press("Enter")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Bold Bataa")

    phone = new_page(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    phone.goto("/")
    expect(phone.get_by_test_id("artist-card")).to_have_count(2)
    # Nothing overflows sideways at phone width.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "home-phone-375")


def test_the_artist_page_shows_the_portfolio_and_the_weekly_hours(page, screenshot):
    artist = TattooistFactory(user__name="Mandakh Art", bio="Realism and portraits.", timezone="Asia/Ulaanbaatar")
    add_work(artist, description="Old portrait")
    add_work(artist, description="New realism sleeve", tags=["realism"])
    AvailabilityFactory(tattooist=artist, day=1, start_time=time(10), end_time=time(18))
    AvailabilityFactory(tattooist=artist, day=6, start_time=time(12), end_time=time(16))

    page.goto("/")
    page.get_by_role("link", name="Mandakh Art").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mandakh Art")
    expect(page.get_by_text("Realism and portraits.")).to_be_visible()
    gallery = page.get_by_test_id("portfolio-item").get_by_role("img")
    expect(gallery).to_have_count(2)
    expect(gallery.first).to_have_attribute("alt", "New realism sleeve")
    assert loaded_image_width(page, gallery.first) > 0
    hours = page.get_by_role("table")
    expect(hours.get_by_role("row", name=re.compile("^Monday"))).to_contain_text("10:00–18:00")
    expect(hours.get_by_role("row", name=re.compile("^Saturday"))).to_contain_text("12:00–16:00")
    expect(hours.get_by_role("row", name=re.compile("^Sunday"))).to_contain_text("Closed")
    # Anonymous visitors see the free times and are asked to log in to book.
    expect(page.get_by_test_id("slot-list")).to_contain_text("10:00")
    expect(page.get_by_role("link", name="Log in to book")).to_be_visible()
    screenshot(page, "artist-page")


def test_keyboard_users_reach_the_skip_link_first_and_see_the_focus(page):
    page.goto("/login/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # From the content, the next stops follow the page order: the first field of the form.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    assert User.objects.count() == 0
