"""Account pages and the navigation through Django's test client (the browser tests cover the rest;
the public pages: tattoo/tests/test_site_public.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import Role, Tattooist, User
from accounts.tests.factories import PASSWORD, CustomerFactory
from testing.clients import staff_login

pytestmark = pytest.mark.django_db


def field_errors(html: str, field: str) -> str:
    """The error list rendered right after the field `field` (empty string when none)."""
    match = re.search(rf'<ul class="field-errors" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def signup_data(**overrides):
    data = {
        "role": "customer",
        "name": "Dulmaa B",
        "email": "dulmaa@example.test",
        "password": "a-long-secret-9",
        "bio": "",
    }
    data.update(overrides)
    return data


# --- sign up ---------------------------------------------------------------------------------


def test_signup_creates_a_customer_and_logs_them_in(client):
    response = client.post(reverse("signup"), signup_data(bio="ignored for customers"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(email="dulmaa@example.test")
    assert user.role == Role.CUSTOMER
    assert not Tattooist.objects.filter(user=user).exists()
    assert client.session[SESSION_KEY] == str(user.pk)


def test_signup_creates_an_unapproved_artist_with_bio_and_shows_the_dashboard(client):
    response = client.post(reverse("signup"), signup_data(role="tattooist", email="Ink@Example.test", bio="Fine line."))
    assert response["Location"] == reverse("dashboard")
    profile = Tattooist.objects.get(user__email="ink@example.test")
    assert (profile.bio, profile.approved) == ("Fine line.", False)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="awaiting-approval"' in page
    assert 'data-testid="dashboard-awaiting-approval"' in page


def test_signup_shows_the_services_password_rules_next_to_the_password_field(client):
    response = client.post(reverse("signup"), signup_data(password="password"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "too common" in field_errors(html, "password")
    assert re.search(r'<input[^>]*name="password"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input[^>]*name="password"[^>]*aria-describedby="id_password_helptext id_password_error"', html)
    assert not User.objects.filter(email="dulmaa@example.test").exists()


def test_signup_shows_a_taken_email_next_to_the_email_field(client):
    CustomerFactory(email="dulmaa@example.test")
    response = client.post(reverse("signup"), signup_data(email="DULMAA@example.test"))
    assert response.status_code == 400
    assert "already exists" in field_errors(response.content.decode(), "email")
    assert User.objects.filter(email__iexact="dulmaa@example.test").count() == 1


def test_signup_refuses_a_role_other_than_customer_or_artist(client):
    response = client.post(reverse("signup"), signup_data(role="admin"))
    assert response.status_code == 400
    assert "valid choice" in field_errors(response.content.decode(), "role")
    assert not User.objects.filter(role=Role.ADMIN).exists()


# --- log in / log out ------------------------------------------------------------------------


def test_login_starts_a_session_and_follows_a_local_next(client, customer):
    response = client.post(
        reverse("login"), {"email": customer.email.upper(), "password": PASSWORD, "next": "/bookings/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/bookings/"
    assert client.session[SESSION_KEY] == str(customer.pk)


def test_login_ignores_a_next_pointing_at_another_site(client, customer):
    response = client.post(
        reverse("login"), {"email": customer.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_login_with_a_wrong_password_shows_a_form_error(client, customer):
    response = client.post(reverse("login"), {"email": customer.email, "password": "nope-nope"})
    assert response.status_code == 400
    assert "Email or password is incorrect." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_is_throttled_after_repeated_failures_with_a_friendly_message(client, customer, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert client.post(reverse("login"), {"email": customer.email, "password": "wrong-guess"}).status_code == 400
    # Even the right password is refused while the account is locked.
    response = client.post(reverse("login"), {"email": customer.email, "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Too many failed logins" in html
    assert SESSION_KEY not in client.session


def test_logout_needs_a_post(client, customer):
    client.force_login(customer)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert SESSION_KEY not in client.session


# --- CSRF ------------------------------------------------------------------------------------


def test_a_post_without_a_csrf_token_gets_the_friendly_403_page(customer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"email": customer.email, "password": PASSWORD})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    assert "Traceback" not in html
    assert SESSION_KEY not in client.session


def test_logout_without_a_csrf_token_keeps_the_session(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    assert client.post(reverse("logout")).status_code == 403
    assert client.session[SESSION_KEY] == str(customer.pk)


def test_a_post_with_the_csrf_token_from_the_form_is_accepted(customer):
    client = Client(enforce_csrf_checks=True)
    html = client.get(reverse("login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(
        reverse("login"), {"email": customer.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


# --- password change -------------------------------------------------------------------------


def test_password_change_needs_a_login(client):
    response = client.get(reverse("password-change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_password_change_shows_a_wrong_current_password_next_to_that_field(client, customer):
    client.force_login(customer)
    response = client.post(
        reverse("password-change"),
        {"current_password": "not-it", "new_password": "brand-new-pass-7", "new_password_again": "brand-new-pass-7"},
    )
    assert response.status_code == 400
    assert "Wrong password." in field_errors(response.content.decode(), "current_password")
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_password_change_keeps_this_session_and_ends_the_others(client, customer):
    other_device = Client()
    other_device.post(reverse("login"), {"email": customer.email, "password": PASSWORD})
    client.post(reverse("login"), {"email": customer.email, "password": PASSWORD})
    response = client.post(
        reverse("password-change"),
        {"current_password": PASSWORD, "new_password": "brand-new-pass-7", "new_password_again": "brand-new-pass-7"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("brand-new-pass-7")
    assert client.get(reverse("password-change")).status_code == 200
    assert other_device.get(reverse("password-change")).status_code == 302


def test_password_change_refuses_two_different_new_passwords(client, customer):
    client.force_login(customer)
    response = client.post(
        reverse("password-change"),
        {"current_password": PASSWORD, "new_password": "brand-new-pass-7", "new_password_again": "brand-new-pass-8"},
    )
    assert "differ" in field_errors(response.content.decode(), "new_password_again")


def test_navigation_follows_the_role(client, customer, tattooist, admin_user):
    anonymous = client.get("/").content.decode()
    assert "Log in" in anonymous
    assert "Sign up" in anonymous
    assert "Log out" not in anonymous
    client.force_login(customer)
    html = client.get("/").content.decode()
    assert "My bookings" in html
    assert "Dashboard" not in html
    assert 'href="/admin/"' not in html
    assert "Log out" in html
    client.force_login(tattooist.user)
    html = client.get("/").content.decode()
    assert "Dashboard" in html
    assert "My bookings" not in html
    staff_login(client, admin_user)
    assert 'href="/admin/"' in client.get("/").content.decode()
