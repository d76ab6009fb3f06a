"""The pages behind the mailed links, the settings page, and the booking form's word to an
unverified customer."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import PASSWORD, CustomerFactory
from accounts.tokens import EMAIL_VERIFY, PASSWORD_RESET, mail_token_make

pytestmark = pytest.mark.django_db


def test_the_verify_page_verifies_only_on_its_post_button():
    user = CustomerFactory(email_verified_at=None)
    token = mail_token_make(user, EMAIL_VERIFY)
    client = Client()
    page = client.get(f"/verify-email/?token={token}")
    assert page.status_code == 200
    assert b'data-testid="verify-button"' in page.content
    assert User.objects.get(pk=user.pk).email_verified_at is None  # opening the link changes nothing
    done = client.post("/verify-email/", {"token": token})
    assert done.status_code == 302
    assert User.objects.get(pk=user.pk).email_verified
    again = client.post("/verify-email/", {"token": token})
    assert again.status_code == 400
    assert b"already used" in again.content


def test_the_reset_pages_ask_for_the_address_then_set_the_password_once():
    user = CustomerFactory()
    client = Client()
    assert client.get("/password/reset/").status_code == 200
    asked = client.post("/password/reset/", {"email": "nobody@example.test"})
    assert asked.status_code == 202
    assert b'data-testid="reset-sent"' in asked.content
    token = mail_token_make(user, PASSWORD_RESET)
    assert client.get(f"/password/reset/?token={token}").status_code == 200
    done = client.post("/password/reset/", {"token": token, "new_password": "a new long password"})
    assert done.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("a new long password")
    again = client.post("/password/reset/", {"token": token, "new_password": "yet another password"})
    assert again.status_code == 400
    assert not User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_the_settings_page_turns_reminders_off_and_on():
    user = CustomerFactory()
    client = Client()
    client.force_login(user)
    assert b'data-testid="reminders-enabled"' in client.get("/account/settings/").content
    client.post("/account/settings/", {})
    assert User.objects.get(pk=user.pk).reminders_enabled is False
    client.post("/account/settings/", {"reminders_enabled": "on"})
    assert User.objects.get(pk=user.pk).reminders_enabled is True


def test_an_unverified_customer_sees_why_they_cannot_book_and_a_resend_button(tattooist):
    from bookings.tests.helpers import open_every_day

    open_every_day(tattooist)
    user = CustomerFactory(email_verified_at=None)
    client = Client()
    client.force_login(user)
    page = client.get(f"/artists/{tattooist.pk}/")
    assert b'data-testid="email-unverified"' in page.content
    assert b"Send the link again" in page.content
    assert b"data-booking-form" not in page.content
    resent = client.post("/verify-email/resend/", {"next": f"/artists/{tattooist.pk}/#booking"})
    assert resent.status_code == 302
    assert resent["Location"] == f"/artists/{tattooist.pk}/#booking"
