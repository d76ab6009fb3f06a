"""Every page: security headers, error pages without stack traces, nothing the CSP would block."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from tattoo.core import views

pytestmark = pytest.mark.django_db


def test_an_html_page_carries_the_security_headers(client):
    response = client.get("/")
    assert response["Content-Type"].startswith("text/html")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    directives = {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"][0]
    assert "'unsafe-eval'" not in directives["script-src"][0]
    assert "'unsafe-inline'" not in directives["style-src"][0]


def test_the_stylesheet_and_script_are_served_by_the_app(client):
    css = client.get("/static/css/app.css")
    assert css.status_code == 200
    assert css["Content-Type"].startswith("text/css")
    assert b":focus-visible" in b"".join(css.streaming_content)
    js = client.get("/static/js/app.js")
    assert js.status_code == 200
    assert "javascript" in js["Content-Type"]


def test_the_404_page_is_friendly_and_keeps_the_navigation(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'href="/"' in html
    assert "Skip to content" in html
    assert '<html lang="en">' in html


def test_an_api_404_stays_json(client):
    response = client.get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.urls("tattoo.tests.boom_urls")
def test_a_crashing_page_shows_the_friendly_500_without_a_stack_trace():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "kaboom" not in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html


@pytest.mark.django_db(databases=[])
def test_the_500_page_renders_without_the_database():
    # No database access is allowed in this test: any query would raise.
    response = views.error_500(RequestFactory().get("/anything/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


PAGES = ["/", "/signup/", "/login/", "/no/such/page/"]


def _assert_csp_clean(html: str, url: str) -> None:
    assert not re.search(r"\sstyle\s*=", html), f"inline style attribute on {url}"
    assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler on {url}"
    assert "javascript:" not in html, f"javascript: URL on {url}"
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert body.strip() == "" or 'type="application/json"' in attrs, f"inline script on {url}"
        assert "src=" in attrs or 'type="application/json"' in attrs, f"script without src on {url}"
    assert "<style" not in html, f"inline <style> on {url}"


def test_pages_have_no_inline_script_or_style_for_the_csp_to_block(client, customer, tattooist):
    from bookings.tests.factories import BookingFactory
    from bookings.tests.helpers import open_every_day
    from payments.models import Transaction

    open_every_day(tattooist)
    booking = BookingFactory(customer=customer, tattooist=tattooist, payment_status="pending")
    booking.events.create(to_status="pending", to_payment_status="unpaid", note="booked")
    # An open invoice, so the payment section (QR image, links, polling) is rendered too.
    Transaction.objects.create(
        booking=booking,
        amount=booking.deposit_amount,
        qpay_invoice_id="INV-CSP",
        qr_image="iVBORw0KGgo=",
        checkout_url="https://qpay.example/checkout",
        bank_links=[{"name": "bank", "description": "Bank", "logo": "", "link": "bank://pay"}],
        expires_at=booking.hold_expires_at,
    )
    for url in [*PAGES, reverse("artist-detail", args=[tattooist.pk])]:
        _assert_csp_clean(client.get(url).content.decode(), url)
    client.force_login(customer)
    for url in [
        "/",
        reverse("password-change"),
        reverse("my-bookings"),
        reverse("dashboard"),
        reverse("artist-detail", args=[tattooist.pk]),  # with the booking form
        reverse("booking-detail", args=[booking.pk]),  # with the payment section
    ]:
        _assert_csp_clean(client.get(url).content.decode(), url)
    client.force_login(tattooist.user)
    for url in [reverse("dashboard"), reverse("booking-detail", args=[booking.pk]), reverse("my-bookings")]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_csp_clean(response.content.decode(), url)
