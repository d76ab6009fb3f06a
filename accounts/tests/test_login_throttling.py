from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db


def attempt(email: str, password: str, address: str = "10.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post("/api/auth/login", {"email": email, "password": password}, format="json")


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_repeated_failures_for_one_account_get_429_even_with_the_right_password():
    user = CustomerFactory()
    for _ in range(3):
        assert attempt(user.email, "wrong-password").status_code == 401
    locked = attempt(user.email, PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    assert "Too many failed logins" in locked.json()["message"]
    # from another address too: the account itself is protected
    assert attempt(user.email, PASSWORD, address="10.9.9.9").status_code == 429


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=100, LOGIN_FAILURES_PER_ADDRESS=4)
def test_repeated_failures_from_one_address_get_429_for_every_account():
    victims = [CustomerFactory() for _ in range(4)]
    for victim in victims:
        assert attempt(victim.email, "wrong-password").status_code == 401
    other = CustomerFactory()
    assert attempt(other.email, PASSWORD).status_code == 429
    assert attempt(other.email, PASSWORD, address="10.0.0.2").status_code == 200


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3)
def test_successful_logins_are_never_slowed_and_reset_the_account_counter():
    user = CustomerFactory()
    for _ in range(10):
        assert attempt(user.email, PASSWORD).status_code == 200
    for _ in range(2):
        attempt(user.email, "wrong-password")
    assert attempt(user.email, PASSWORD).status_code == 200
    for _ in range(2):
        assert attempt(user.email, "wrong-password").status_code == 401
    assert attempt(user.email, PASSWORD).status_code == 200


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=2, LOGIN_FAILURES_PER_ADDRESS=100)
def test_a_lockout_on_one_account_leaves_others_alone():
    locked, fine = CustomerFactory(), CustomerFactory()
    for _ in range(2):
        attempt(locked.email, "wrong-password")
    assert attempt(locked.email, PASSWORD).status_code == 429
    assert attempt(fine.email, PASSWORD).status_code == 200


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=2)
def test_the_account_counter_ignores_email_case():
    CustomerFactory(email="case@example.test")
    attempt("CASE@example.test", "wrong-password")
    attempt("case@EXAMPLE.test", "wrong-password")
    assert attempt("case@example.test", PASSWORD).status_code == 429


def signup(address: str, n: int, **overrides):
    body = {"name": "Throwaway", "email": f"throwaway{n}@example.test", "password": PASSWORD, "role": "customer"}
    return APIClient(REMOTE_ADDR=address).post("/api/auth/signup", {**body, **overrides}, format="json")


@override_settings(SIGNUPS_PER_ADDRESS=3)
def test_signups_from_one_address_are_throttled_and_other_addresses_are_not():
    from accounts.models import User

    for n in range(3):
        assert signup("10.0.0.7", n).status_code == 201
    refused = signup("10.0.0.7", 3)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert "sign-ups" in refused.json()["message"]
    assert not User.objects.filter(email="throwaway3@example.test").exists()
    assert signup("10.0.0.8", 4).status_code == 201


@override_settings(SIGNUPS_PER_ADDRESS=2)
def test_failed_signups_count_too_so_the_address_cannot_probe_for_taken_emails():
    taken = CustomerFactory()
    assert signup("10.0.0.9", 0, email=taken.email).status_code == 400
    assert signup("10.0.0.9", 1, password="short").status_code == 400
    assert signup("10.0.0.9", 2).status_code == 429


@override_settings(SIGNUPS_PER_ADDRESS=1)
def test_the_signup_page_shares_the_per_address_signup_counter(client):
    from django.test import Client

    assert signup("10.0.0.10", 0).status_code == 201
    page = Client(REMOTE_ADDR="10.0.0.10").post(
        "/signup/", {"role": "customer", "name": "Page", "email": "page@example.test", "password": PASSWORD}
    )
    assert page.status_code == 429
    assert "Too many sign-ups" in page.content.decode()
