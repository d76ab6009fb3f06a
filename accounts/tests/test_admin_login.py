"""The Django admin's login form shares the API's lockout and says one thing for every failure
(docs/security.md): it is no password oracle for staff accounts."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts import mfa
from accounts.tests.factories import PASSWORD, AdminFactory, CustomerFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"


def admin_login(email: str, password: str, otp: str = "", address: str = "10.1.0.1"):
    return Client(REMOTE_ADDR=address).post(
        ADMIN_LOGIN, {"username": email, "password": password, "otp_token": otp, "next": "/admin/"}
    )


def form_errors(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<p class="errornote">\s*(.*?)\s*</p>', html, flags=re.S) + re.findall(
        r'<ul class="errorlist[^"]*">(.*?)</ul>', html, flags=re.S
    )


def wrong_code(device) -> str:
    return f"{(int(mfa.current_code(device)) + 1) % 1_000_000:06d}"


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_wrong_passwords_on_the_admin_lock_the_account_everywhere_with_429():
    staff = AdminFactory()
    device = mfa.enrol(staff)
    for _ in range(3):
        assert admin_login(staff.email, "wrong-password").status_code == 200
    locked = admin_login(staff.email, PASSWORD, mfa.current_code(device), address="10.1.0.2")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in locked.client.session
    api = APIClient(REMOTE_ADDR="10.1.0.3").post(
        "/api/auth/login", {"email": staff.email, "password": PASSWORD, "otp": mfa.current_code(device)}, format="json"
    )
    assert api.status_code == 429


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=100, LOGIN_FAILURES_PER_ADDRESS=3)
def test_failures_from_one_address_on_the_api_lock_that_address_out_of_the_admin():
    staff = AdminFactory()
    device = mfa.enrol(staff)
    for n in range(3):
        APIClient(REMOTE_ADDR="10.1.0.4").post(
            "/api/auth/login", {"email": f"nobody{n}@example.test", "password": "x"}, format="json"
        )
    assert admin_login(staff.email, PASSWORD, mfa.current_code(device), address="10.1.0.4").status_code == 429
    assert admin_login(staff.email, PASSWORD, mfa.current_code(device), address="10.1.0.5").status_code == 302


def test_every_admin_login_failure_reads_the_same():
    staff = AdminFactory()
    device = mfa.enrol(staff)
    customer = CustomerFactory()
    answers = {
        "wrong password": admin_login(staff.email, "wrong-password"),
        "unknown email": admin_login("nobody@example.test", PASSWORD),
        "right password, no code": admin_login(staff.email, PASSWORD),
        "right password, wrong code": admin_login(staff.email, PASSWORD, wrong_code(device)),
        "not staff": admin_login(customer.email, PASSWORD),
    }
    statuses = {name: r.status_code for name, r in answers.items()}
    assert set(statuses.values()) == {200}, statuses
    errors = {name: form_errors(r) for name, r in answers.items()}
    assert all(errors.values()), errors
    assert len({tuple(e) for e in errors.values()}) == 1, errors
    # nothing else on the page tells them apart either (e.g. a device picker after a right password)
    assert len({"otp_device" in r.content.decode() for r in answers.values()}) == 1


def test_right_password_and_code_still_let_staff_in():
    staff = AdminFactory()
    device = mfa.enrol(staff)
    client = Client()
    response = client.post(
        ADMIN_LOGIN,
        {"username": staff.email, "password": PASSWORD, "otp_token": mfa.current_code(device), "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
