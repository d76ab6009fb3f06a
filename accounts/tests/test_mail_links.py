"""Verified addresses and password reset over the API: links with one opaque token, single use,
expiring; resets revoke refresh tokens; answers that tell nothing about which addresses exist."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD, CustomerFactory
from notifications import account_mail
from notifications.models import Outbox
from notifications.services import outbox_send
from testing.clients import client_for


def queued(task: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT args::text FROM procrastinate_jobs WHERE task_name = %s ORDER BY id", [task])
        return [json.loads(row[0]) for row in cursor.fetchall()]


def token_in(row: Outbox, path: str) -> str:
    """The token of the link the mail of `row` carries once sent: the stored row holds none, the
    link is made at send time (notifications/links.py)."""
    assert path not in row.body_text
    assert outbox_send(outbox_id=row.pk) == "sent"
    link = next(word for word in mail.outbox[-1].body.split() if path in word)
    parts = urlsplit(link)
    assert parts.path == path
    [token] = parse_qs(parts.query)["token"]
    return token


def signup(email="new@example.test"):
    response = APIClient().post(
        "/api/auth/signup",
        {"name": "New", "email": email, "password": "a fine long password", "role": "customer"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def verification_mail(user_id: int) -> Outbox:
    [job] = [j for j in queued("notifications.verify_email") if j["user_id"] == user_id][-1:]
    account_mail.verify_email_send(**job)
    return Outbox.objects.filter(kind="verify_email", recipient_id=user_id).latest("id")


@pytest.mark.django_db
def test_signup_mails_a_link_that_verifies_once_and_then_allows_booking(tattooist):
    body = signup()
    assert body["user"]["emailVerified"] is False
    user_id = body["user"]["id"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")

    refused = client.post(
        "/api/bookings",
        {"tattooistId": tattooist.pk, "slot": "2030-01-01T10:00:00+08:00", "depositAmount": "50000"},
        format="json",
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "email_unverified"

    token = token_in(verification_mail(user_id), "/verify-email/")
    ok = APIClient().post("/api/auth/verify-email", {"token": token}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["emailVerified"] is True
    assert client.get("/api/auth/me").json()["emailVerified"] is True

    again = APIClient().post("/api/auth/verify-email", {"token": token}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "token_invalid"

    # Past the address check now: the booking is judged on its content (a slot in the past is 400).
    judged = client.post(
        "/api/bookings",
        {"tattooistId": tattooist.pk, "slot": "2020-01-01T10:00:00+08:00", "depositAmount": "50000"},
        format="json",
    )
    assert judged.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "x", "eyJ1Ijo5OTl9:abc:def", "a" * 1001])
def test_a_wrong_verification_token_is_a_400_never_a_500(token):
    response = APIClient().post("/api/auth/verify-email", {"token": token}, format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_verification_link_expires(settings):
    user = CustomerFactory(email_verified_at=None)
    row_token = None
    account_mail.verify_email_send(user_id=user.pk, nonce="n")
    row_token = token_in(Outbox.objects.get(kind="verify_email"), "/verify-email/")
    later = timezone.now() + timedelta(days=settings.EMAIL_VERIFY_TOKEN_DAYS, minutes=1)
    with time_machine.travel(later):
        response = APIClient().post("/api/auth/verify-email", {"token": row_token}, format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_resend_queues_a_new_link_is_throttled_and_says_when_there_is_nothing_to_do(settings):
    settings.MAIL_REQUESTS_PER_ADDRESS = 2
    user = CustomerFactory(email_verified_at=None)
    client = client_for(user)
    assert client.post("/api/auth/verify-email/resend").status_code == 202
    assert client.post("/api/auth/verify-email/resend").status_code == 202
    assert client.post("/api/auth/verify-email/resend").status_code == 429
    assert len(queued("notifications.verify_email")) == 2
    verified = CustomerFactory()
    response = client_for(verified).post("/api/auth/verify-email/resend")
    assert response.status_code == 202
    assert response.json()["detail"] == "Your address is already verified."
    assert APIClient().post("/api/auth/verify-email/resend").status_code == 401


@pytest.mark.django_db
def test_me_shows_and_patches_the_reminder_preference(customer):
    client = client_for(customer)
    assert client.get("/api/auth/me").json()["remindersEnabled"] is True
    response = client.patch("/api/auth/me", {"remindersEnabled": False}, format="json")
    assert response.status_code == 200
    assert response.json()["remindersEnabled"] is False
    customer.refresh_from_db()
    assert customer.reminders_enabled is False
    assert client.patch("/api/auth/me", {"remindersEnabled": "maybe"}, format="json").status_code == 400


# --- password reset ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reset_answers_the_same_for_known_and_unknown_addresses():
    CustomerFactory(email="known@example.test")
    known = APIClient().post("/api/auth/password/reset", {"email": "known@example.test"}, format="json")
    unknown = APIClient().post("/api/auth/password/reset", {"email": "nobody@example.test"}, format="json")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    # the same work either way: one job each, the address looked up only by the job
    assert [j["email"] for j in queued("notifications.password_reset")] == [
        "known@example.test",
        "nobody@example.test",
    ]
    for job in queued("notifications.password_reset"):
        account_mail.password_reset_send(**job)
    assert list(Outbox.objects.values_list("kind", "to_address")) == [("password_reset", "known@example.test")]


@pytest.mark.django_db
def test_a_reset_sets_the_password_once_and_revokes_every_refresh_token():
    user = CustomerFactory(email="reset@example.test")
    login = APIClient().post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    old_refresh = login.json()["refresh"]
    APIClient().post("/api/auth/password/reset", {"email": user.email}, format="json")
    [job] = queued("notifications.password_reset")
    account_mail.password_reset_send(**job)
    token = token_in(Outbox.objects.get(kind="password_reset"), "/password/reset/")

    weak = APIClient().post("/api/auth/password/reset/confirm", {"token": token, "password": "123"}, format="json")
    assert weak.status_code == 400
    assert "password" in weak.json()["fields"]
    done = APIClient().post(
        "/api/auth/password/reset/confirm", {"token": token, "password": "a brand new password"}, format="json"
    )
    assert done.status_code == 200, done.content
    again = APIClient().post(
        "/api/auth/password/reset/confirm", {"token": token, "password": "another new password"}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["code"] == "token_invalid"

    assert APIClient().post("/api/auth/refresh", {"refresh": old_refresh}, format="json").status_code == 401
    new_login = APIClient().post(
        "/api/auth/login", {"email": user.email, "password": "a brand new password"}, format="json"
    )
    assert new_login.status_code == 200
    old_login = APIClient().post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert old_login.status_code == 401


@pytest.mark.django_db
def test_a_reset_link_expires(settings):
    user = CustomerFactory()
    account_mail.password_reset_send(email=user.email, requested_at="t")
    token = token_in(Outbox.objects.get(kind="password_reset"), "/password/reset/")
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)):
        response = APIClient().post(
            "/api/auth/password/reset/confirm", {"token": token, "password": "a brand new password"}, format="json"
        )
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


@pytest.mark.django_db
def test_reset_requests_are_throttled_per_client_and_silently_per_address(settings):
    settings.MAIL_REQUESTS_PER_ADDRESS = 2
    settings.MAIL_REQUESTS_PER_CLIENT = 4
    client = APIClient()
    answers = [
        client.post("/api/auth/password/reset", {"email": "a@example.test"}, format="json").status_code
        for _ in range(3)
    ]
    assert answers == [202, 202, 202]  # the third is dropped: a 429 would say the address is in use
    assert len(queued("notifications.password_reset")) == 2
    assert client.post("/api/auth/password/reset", {"email": "b@example.test"}, format="json").status_code == 202
    assert client.post("/api/auth/password/reset", {"email": "c@example.test"}, format="json").status_code == 429
