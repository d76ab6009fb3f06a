"""The ideas thread include (templates/ideas/_thread.html) and static/js/ideas.js."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from bookings.models import BookingStatus
from bookings.tests.factories import BookingFactory
from ideas.forms import IdeaForm
from ideas.models import TattooIdea
from tattoo.core import uploads
from testing.s3 import png_bytes


def render_thread(booking, user, *, can_post=True, ideas=None):
    request = RequestFactory().get("/")
    request.user = user
    ideas = list(TattooIdea.objects.filter(booking=booking)) if ideas is None else ideas
    return render_to_string(
        "ideas/_thread.html",
        {"booking": booking, "ideas": ideas, "can_post": can_post, "form": IdeaForm()},
        request=request,
    )


@pytest.mark.django_db
def test_the_thread_lists_ideas_with_author_and_image_alt_text_and_wires_the_script(customer, tattooist):
    booking = BookingFactory(customer=customer, tattooist=tattooist)
    TattooIdea.objects.create(booking=booking, created_by=customer, description="Koi <b>fish</b>")
    key = uploads.make_key(folder="ideas", user_id=tattooist.user_id, content_type="image/png")
    TattooIdea.objects.create(
        booking=booking,
        created_by=tattooist.user,
        description="",
        image_key=key,
        image_url=uploads.private_url(key),
        image_width=900,
        image_height=600,
        image_variants=[320, 640],
    )
    html = render_thread(booking, customer)

    assert customer.name in html
    assert tattooist.user.name in html
    assert "Koi &lt;b&gt;fish&lt;/b&gt;" in html  # escaped
    assert f'alt="Reference image shared by {tattooist.user.name}"' in html
    # one <img> per image (the {% image %} tag): signed URLs only, variants in srcset
    (img,) = re.findall(r"<img [^>]*>", html)
    assert 'width="900" height="600" loading="lazy"' in img
    assert 'sizes="(min-width: 44rem) 40rem, 100vw"' in img
    srcset = re.search(r'srcset="([^"]*)"', img).group(1).replace("&amp;", "&")
    assert [c.rsplit(" ", 1)[1] for c in srcset.split(", ")] == ["320w", "640w", "900w"]
    for candidate in srcset.split(", "):
        assert "X-Amz-Signature=" in candidate
    assert uploads.private_url(key) + "?" in html.replace("&amp;", "&")  # the link: signed too
    assert f'data-booking-id="{booking.pk}"' in html
    assert 'data-presign-url="/api/upload/presign"' in html
    assert 'data-create-url="/api/tattoo-ideas"' in html
    assert f'data-list-url="/api/tattoo-ideas/{booking.pk}"' in html
    assert 'type="file"' in html
    assert 'accept="image/jpeg,image/png,image/webp,image/heic' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # CSP: no inline script, only the static file.
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    assert scripts == [""]
    assert 'src="/static/js/ideas.js"' in html


@pytest.mark.django_db
def test_the_thread_has_no_form_when_posting_is_not_allowed(customer, tattooist):
    booking = BookingFactory(customer=customer, tattooist=tattooist, status=BookingStatus.CANCELLED)
    html = render_thread(booking, customer, can_post=False)
    assert "data-ideas-form" not in html
    assert "No ideas yet." in html


# --- in the browser -----------------------------------------------------------------------------


def _log_in(page, user):
    page.goto("/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.mark.browser
@pytest.mark.urls("ideas.tests.thread_urls")
def test_a_customer_posts_an_idea_with_an_image_from_the_page(s3_server, page, customer, tattooist):
    booking = BookingFactory(customer=customer, tattooist=tattooist, status=BookingStatus.CONFIRMED)
    TattooIdea.objects.create(booking=booking, created_by=tattooist.user, description="Send me a reference")
    _log_in(page, customer)
    page.goto(f"/test-ideas/{booking.pk}")
    expect(page.get_by_text("Send me a reference")).to_be_visible()

    # Type is checked in the browser before anything is uploaded.
    page.get_by_label("Reference image").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}]
    )
    expect(page.get_by_role("alert")).to_contain_text("JPEG, PNG, WebP or HEIC")

    body = png_bytes(32, 32)
    page.get_by_label("Reference image").set_input_files(
        files=[{"name": "koi.png", "mimeType": "image/png", "buffer": body}]
    )
    page.get_by_label("Your idea").fill("A koi on the shoulder")
    page.get_by_role("button", name="Post idea").click()

    image = page.get_by_role("img", name="Reference image: A koi on the shoulder")
    expect(image).to_be_visible()
    expect(page.locator("[data-ideas-list] > li")).to_have_count(2)
    idea = TattooIdea.objects.get(description="A koi on the shoulder")
    assert idea.created_by_id == customer.pk
    assert idea.image_key.startswith(f"ideas/{customer.pk}/")
    assert uploads.head_object(idea.image_key, private=True).content_type == "image/png"
    assert image.evaluate("img => img.naturalWidth") == 32  # the browser loaded it from the bucket
    expect(page.get_by_label("Your idea")).to_have_value("")
