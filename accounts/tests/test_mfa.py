"""Staff need a second factor (docs/reliability.md A14; accounts/mfa.py)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts import mfa
from accounts.tests.factories import PASSWORD, AdminFactory, CustomerFactory
from accounts.tokens import tokens_for_user

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login"


def api_login(user, **extra):
    return APIClient().post(LOGIN, {"email": user.email, "password": PASSWORD, **extra}, format="json")


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def wrong_code(device) -> str:
    return f"{(int(mfa.current_code(device)) + 1) % 1_000_000:06d}"


def test_staff_api_login_needs_the_code_and_its_tokens_carry_it():
    staff = AdminFactory()
    device = mfa.enrol(staff)

    missing = api_login(staff)
    assert missing.status_code == 401
    assert missing.json()["code"] == "otp_required"
    assert "access" not in missing.json()
    wrong = api_login(staff, otp=wrong_code(device))
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "otp_invalid"

    device.refresh_from_db()
    device.throttle_reset()  # django-otp backs off after a wrong code; the test does not wait
    ok = api_login(staff, otp=mfa.current_code(device))
    assert ok.status_code == 200, ok.json()
    assert bearer(ok.json()["access"]).get("/api/admin/bookings").status_code == 200
    # the claim survives rotation
    rotated = APIClient().post("/api/auth/refresh", {"refresh": ok.json()["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert bearer(rotated.json()["access"]).get("/api/admin/bookings").status_code == 200


def test_a_code_works_once():
    staff = AdminFactory()
    code = mfa.current_code(mfa.enrol(staff))
    assert api_login(staff, otp=code).status_code == 200
    replay = api_login(staff, otp=code)
    assert replay.status_code == 401
    assert replay.json()["code"] == "otp_invalid"


def test_a_staff_token_without_the_second_factor_authenticates_nothing():
    staff = AdminFactory()
    password_only = tokens_for_user(staff)["access"]  # as issued before staff needed a code
    for path in ("/api/admin/bookings", "/api/auth/me"):
        response = bearer(password_only).get(path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "otp_required"


def test_staff_without_an_enrolled_device_cannot_sign_in():
    staff = AdminFactory()
    response = api_login(staff, otp="123456")
    assert response.status_code == 401
    assert response.json()["code"] == "otp_invalid"


def test_customers_sign_in_as_before():
    customer = CustomerFactory()
    assert api_login(customer).status_code == 200
    assert api_login(customer, otp="").status_code == 200


def test_the_site_login_page_asks_staff_for_the_code_and_then_opens_the_admin():
    staff = AdminFactory()
    device = mfa.enrol(staff)
    client = Client()
    refused = client.post("/login/", {"email": staff.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert mfa_message_in(refused)
    assert client.get("/admin/").status_code == 302

    response = client.post("/login/", {"email": staff.email, "password": PASSWORD, "otp": mfa.current_code(device)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/admin/bookings").status_code == 200  # the session, verified


def mfa_message_in(response) -> bool:
    return "authenticator app" in response.content.decode()


def test_totp_device_enrols_staff_only_and_prints_the_uri():
    staff, customer = AdminFactory(), CustomerFactory()
    out = StringIO()
    call_command("totp_device", staff.email.upper(), stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    assert "issuer=Inkbook" in out.getvalue()
    assert staff.totpdevice_set.filter(confirmed=True).count() == 1
    call_command("totp_device", staff.email, stdout=StringIO())
    assert staff.totpdevice_set.count() == 1  # replaced, not added
    with pytest.raises(CommandError, match="Only staff"):
        call_command("totp_device", customer.email, stdout=StringIO())


def test_totp_code_is_for_the_local_demo_only(settings):
    staff = AdminFactory()
    device = mfa.enrol(staff)
    settings.DEBUG = True
    out = StringIO()
    call_command("totp_code", staff.email, stdout=out)
    assert out.getvalue().strip() == mfa.current_code(device)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("totp_code", staff.email, stdout=StringIO())
