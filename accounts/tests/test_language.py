"""The language a person gets (docs/i18n.md): the saved language, the switcher, Accept-Language, mn."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD, CustomerFactory
from notifications.account_mail import verify_email_send
from notifications.models import Outbox
from testing.clients import client_for

pytestmark = pytest.mark.django_db

LOGIN_FAILED_MN = "Имэйл хаяг эсвэл нууц үг буруу байна."
LANGUAGE_INVALID_MN = "Монгол (mn) эсвэл англи (en) хэлийг сонгоно уу."


def wrong_login(language: str | None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    return client.post("/api/auth/login", {"email": "nobody@example.test", "password": "wrong"}, format="json")


def test_a_wrong_login_answers_in_mongolian_with_the_same_code_as_in_english():
    mn, en = wrong_login("mn"), wrong_login("en")
    assert mn.status_code == en.status_code == 401
    assert mn.json()["message"] == LOGIN_FAILED_MN
    assert en.json()["message"] == "Email or password is incorrect."
    assert mn.json()["code"] == en.json()["code"] == "authentication_failed"
    assert mn["Content-Language"] == "mn"


def test_a_request_that_names_no_language_gets_mongolian():
    answer = wrong_login(None)
    assert answer.json()["message"] == LOGIN_FAILED_MN


def test_a_field_message_of_a_400_is_mongolian_too(customer):
    client = client_for(customer)
    answer = client.patch("/api/auth/me", {"language": "fr"}, format="json", HTTP_ACCEPT_LANGUAGE="mn")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {"language": [LANGUAGE_INVALID_MN]}
    assert body["message"] == f"Оруулсан утга буруу: {LANGUAGE_INVALID_MN}"
    english = client.patch("/api/auth/me", {"language": "fr"}, format="json")
    assert english.json()["fields"] == {"language": ["Choose Mongolian (mn) or English (en)."]}
    assert english.json()["code"] == "invalid"


def test_me_reports_and_saves_the_language(customer):
    client = client_for(customer)
    assert client.get("/api/auth/me").json()["language"] == "en"  # the factories' default
    answer = client.patch("/api/auth/me", {"language": "mn"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["language"] == "mn"
    customer.refresh_from_db()
    assert customer.language == "mn"
    assert client.patch("/api/auth/me", {"language": "en"}, format="json").json()["language"] == "en"


def test_the_api_speaks_the_saved_language_when_the_request_names_none_and_the_header_otherwise():
    user = CustomerFactory(language="mn")
    bad = {"language": "xx"}
    no_header = client_for(user)
    no_header.defaults["HTTP_ACCEPT_LANGUAGE"] = None
    assert no_header.patch("/api/auth/me", bad, format="json").json()["fields"]["language"] == [LANGUAGE_INVALID_MN]
    english = client_for(user)  # the suite's clients send Accept-Language: en
    assert english.patch("/api/auth/me", bad, format="json").json()["fields"]["language"] == [
        "Choose Mongolian (mn) or English (en)."
    ]


def test_signup_saves_the_language_the_request_was_answered_in():
    body = {"name": "Saraa", "email": "saraa@example.test", "password": "a-long-enough-pass", "role": "customer"}
    answer = APIClient(HTTP_ACCEPT_LANGUAGE="mn").post("/api/auth/signup", body, format="json")
    assert answer.status_code == 201
    assert answer.json()["user"]["language"] == "mn"
    english = APIClient().post("/api/auth/signup", {**body, "email": "saraa2@example.test"}, format="json")
    assert english.json()["user"]["language"] == "en"


def test_page_signup_saves_the_language_of_the_page():
    client = Client(HTTP_ACCEPT_LANGUAGE="mn")
    form = {"name": "Bold", "email": "bold@example.test", "password": "a-long-enough-pass", "role": "customer"}
    assert client.post("/signup/", form).status_code == 302
    assert User.objects.get(email="bold@example.test").language == "mn"


def logged_in(user, **client_kwargs) -> Client:
    client = Client(**client_kwargs)
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_the_saved_language_beats_accept_language_on_pages():
    user = CustomerFactory(language="mn")
    page = logged_in(user).get("/account/settings/")  # the client asks for English
    assert page.status_code == 200
    assert page["Content-Language"] == "mn"
    assert "Хуудас болон имэйлийн хэл" in page.content.decode()
    other = CustomerFactory(language="en")
    english = logged_in(other, HTTP_ACCEPT_LANGUAGE="mn").get("/account/settings/")
    assert english["Content-Language"] == "en"
    assert "Language of pages and mails" in english.content.decode()


def test_an_anonymous_page_follows_the_switchers_cookie_then_accept_language():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/login/")["Content-Language"] == "en"
    client.cookies["django_language"] = "mn"
    assert client.get("/login/")["Content-Language"] == "mn"


def test_set_language_saves_a_signed_in_users_choice_and_keeps_the_cookie():
    user = CustomerFactory(language="en")
    client = logged_in(user)
    answer = client.post("/i18n/setlang/", {"language": "mn", "next": "/account/settings/"})
    assert answer.status_code == 302
    assert answer["Location"] == "/account/settings/"
    assert answer.cookies["django_language"].value == "mn"
    user.refresh_from_db()
    assert user.language == "mn"
    assert client.get("/account/settings/")["Content-Language"] == "mn"


def test_set_language_for_a_visitor_only_sets_the_cookie():
    answer = Client().post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert answer.status_code == 302
    assert answer.cookies["django_language"].value == "en"


def test_set_language_ignores_an_unknown_language():
    user = CustomerFactory(language="en")
    logged_in(user).post("/i18n/setlang/", {"language": "fr", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"


def test_the_settings_page_saves_the_language():
    user = CustomerFactory(language="en")
    client = logged_in(user)
    answer = client.post("/account/settings/", {"reminders_enabled": "on", "language": "mn"})
    assert answer.status_code == 302
    user.refresh_from_db()
    assert user.language == "mn"
    assert user.reminders_enabled is True
    assert client.post("/account/settings/", {"language": "xx"}).status_code == 400
    user.refresh_from_db()
    assert user.language == "mn"


def test_a_mail_is_written_in_the_recipients_saved_language():
    mongolian = CustomerFactory(language="mn", email_verified_at=None)
    english = CustomerFactory(language="en", email_verified_at=None)
    assert verify_email_send(user_id=mongolian.pk, nonce="t") == 1
    assert verify_email_send(user_id=english.pk, nonce="t") == 1
    to_mn = Outbox.objects.get(recipient=mongolian)
    to_en = Outbox.objects.get(recipient=english)
    assert to_mn.subject == "Inkbook-д имэйл хаягаа баталгаажуулна уу"
    assert to_mn.language == "mn"
    assert "Хаягаа баталгаажуулах" in to_mn.body_text  # the action label, built in Python
    assert to_en.subject == "Confirm your e-mail address for Inkbook"
    assert "Confirm my address" in to_en.body_text


def test_drf_own_field_messages_are_mongolian_too():
    """DRF ships no Mongolian: its messages come from our catalogue (tattoo/core/drf_messages.py)."""
    answer = APIClient(HTTP_ACCEPT_LANGUAGE="mn").post("/api/auth/login", {"email": "a@example.test"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["fields"] == {"password": ["Энэ талбарыг бөглөх шаардлагатай."]}
    assert answer.json()["code"] == "invalid"


def test_the_calendar_feed_speaks_the_artists_saved_language(tattooist):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from bookings.tests.factories import BookingFactory

    customer = CustomerFactory(name="Tuya")
    tattooist.user.name = "Bold"
    tattooist.user.save(update_fields=["name"])
    slot = timezone.now().replace(microsecond=0, second=0) + timedelta(days=5)
    BookingFactory(tattooist=tattooist, customer=customer, status="confirmed", slot=slot)
    feed = reverse("calendar-feed", args=[tattooist.user.calendar_token])
    english = Client().get(feed).content.decode().replace("\r\n ", "")
    assert "SUMMARY:Tattoo session: Tuya" in english
    assert "X-WR-CALNAME:Inkbook: Bold\r\n" in english
    assert "Status: confirmed. Deposit 50\\,000\u00a0₮." in english  # ICS escapes the comma
    tattooist.user.language = "mn"
    tattooist.user.save(update_fields=["language"])
    mongolian = Client().get(feed).content.decode().replace("\r\n ", "")
    assert "SUMMARY:Шивээсний цаг: Tuya" in mongolian
    assert "X-WR-CALNAME:Inkbook: Bold шивээсчний захиалгууд\r\n" in mongolian
    assert "Төлөв: баталгаажсан. Урьдчилгаа төлбөр 50\\,000\u00a0₮." in mongolian
