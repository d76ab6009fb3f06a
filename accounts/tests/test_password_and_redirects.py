"""Issue 26, item 10: the booking pages' "back" redirect is Django's own-site check (never an open
redirect); changing a password is throttled like a login, on the same counters; a password reset
from the mailed link lifts the account's lockout."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts import throttling
from accounts.tests.factories import PASSWORD, CustomerFactory
from accounts.tokens import PASSWORD_RESET, mail_token_make
from bookings.tests.factories import BookingFactory
from testing.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "target",
    [
        "/\\evil.example",
        "\\\\evil.example",
        "//evil.example",
        "https://evil.example/",
        "/\t/evil.example",
        "javascript:x",
    ],
)
def test_a_booking_page_never_redirects_off_site(target):
    booking = BookingFactory()
    page = Client()
    page.force_login(booking.tattooist.user)

    response = page.post(f"/bookings/{booking.pk}/status/", {"status": "confirmed", "next": target})

    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/"


def test_a_booking_page_still_goes_back_to_an_own_path():
    booking = BookingFactory()
    page = Client()
    page.force_login(booking.tattooist.user)
    response = page.post(f"/bookings/{booking.pk}/status/", {"status": "confirmed", "next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"


def change(client, current: str):
    return client.post(
        "/api/auth/password", {"currentPassword": current, "newPassword": "a brand new password"}, format="json"
    )


def test_guessing_the_current_password_is_throttled_like_a_login_and_locks_the_login_too(settings, api_client):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    user = CustomerFactory()
    client = client_for(user)

    for _ in range(3):
        assert change(client, "wrong guess").status_code == 400
    locked = change(client, PASSWORD)  # even the right one, while locked

    assert locked.status_code == 429, locked.json()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    login = api_client.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert login.status_code == 429  # one set of counters


def test_the_password_page_answers_429_while_locked(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 1
    user = CustomerFactory()
    page = Client()
    page.force_login(user)
    form = {
        "current_password": "wrong",
        "new_password": "a brand new password",
        "new_password_again": "a brand new password",
    }
    assert page.post("/account/password/", form).status_code == 400
    assert page.post("/account/password/", {**form, "current_password": PASSWORD}).status_code == 429


def test_a_password_reset_from_the_mailed_link_lifts_the_accounts_lockout(settings, api_client):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    user = CustomerFactory()
    for _ in range(2):
        api_client.post("/api/auth/login", {"email": user.email, "password": "wrong"}, format="json")
    assert throttling.is_locked(user.email, "203.0.113.9")

    token = mail_token_make(user, PASSWORD_RESET)
    reset = api_client.post(
        "/api/auth/password/reset/confirm", {"token": token, "password": "a brand new password"}, format="json"
    )
    assert reset.status_code == 200, reset.json()

    login = api_client.post("/api/auth/login", {"email": user.email, "password": "a brand new password"}, format="json")
    assert login.status_code == 200, login.json()
