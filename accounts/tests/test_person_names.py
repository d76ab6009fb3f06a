"""A name cannot break the mails that name its person (issue 26, item 6): control characters, line
breaks and bidirectional overrides are refused in names (API, pages, admin), and a subject is one
line whatever a stored name holds, so its mail is sent, not failed after every retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import CustomerFactory
from bookings.tests.factories import PaidBookingFactory
from notifications.models import Outbox
from notifications.services import outbox_send
from testing.clients import client_for

pytestmark = pytest.mark.django_db

BAD_NAMES = [
    "Bob\r\nBcc: victim@example.test",
    "Bob\rEvil",
    "Bob\nEvil",
    "Tab\tName",
    "Nul\x00l",
    "C1\x85next line",
    "Para\u2029graph",
    "\u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE
    "Iso\u2066late\u2069",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_signup_refuses_a_name_with_controls_or_direction_overrides(api_client, name):
    response = api_client.post(
        "/api/auth/signup",
        {"name": name, "email": "n@example.test", "password": "a-long-enough-pass", "role": "customer"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "name" in response.json()["fields"]
    assert not User.objects.exists()


@pytest.mark.parametrize("name", BAD_NAMES[:3] + BAD_NAMES[7:8])
def test_a_user_cannot_rename_themselves_with_a_line_break_or_override(customer, name):
    response = client_for(customer).patch("/api/auth/me", {"name": name}, format="json")
    assert response.status_code == 400, response.json()
    assert "name" in response.json()["fields"]
    customer.refresh_from_db()
    assert "\n" not in customer.name


def test_the_signup_page_refuses_such_a_name_too():
    page = Client()
    response = page.post(
        "/signup/",
        {"role": "customer", "name": "Bob\r\nBcc: x", "email": "n@example.test", "password": "a-long-enough-pass"},
    )
    assert response.status_code == 400
    assert not User.objects.exists()


@pytest.mark.parametrize("name", ["Сараа Болд", "O'Brien-Smith", "Zoë d’Arc", "李 小龍", "Batbayar Ж."])
def test_real_names_in_any_script_are_welcome(api_client, name):
    response = api_client.post(
        "/api/auth/signup",
        {"name": name, "email": "n@example.test", "password": "a-long-enough-pass", "role": "customer"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert User.objects.get().name == name


@pytest.mark.parametrize("stored", ["Bob\r\nBcc: victim@example.test", "Bob\rEvil", "Line\u2028Sep"])
def test_a_mail_naming_a_person_whose_stored_name_has_a_line_break_is_one_subject_line_and_is_sent(stored):
    # A row written before names were checked (or by a direct database write).
    customer = CustomerFactory()
    User.objects.filter(pk=customer.pk).update(name=stored)
    start = timezone.now() - timedelta(minutes=5)
    booking = PaidBookingFactory(customer=User.objects.get(pk=customer.pk), slot=start)
    artist = client_for(booking.tattooist.user)

    assert artist.patch(f"/api/bookings/{booking.pk}", {"status": "cancelled"}, format="json").status_code == 200

    to_artist = Outbox.objects.get(kind="booking_cancelled_artist")
    assert "\r" not in to_artist.subject
    assert "\n" not in to_artist.subject
    assert "\u2028" not in to_artist.subject
    assert outbox_send(outbox_id=to_artist.pk) == "sent"  # not BadHeaderError, retried until it fails
    [sent] = mail.outbox
    assert sent.message()["Bcc"] is None  # no header smuggled in through the name
    assert sent.to == [booking.tattooist.user.email]


def test_the_admin_user_form_refuses_such_a_name(admin_user):
    from testing.clients import staff_login

    staff = Client()
    staff_login(staff, admin_user)
    user = CustomerFactory()
    form = {
        "email": user.email,
        "role": "customer",
        "is_active": "on",
        # the artist profile inline's management form (none here)
        "tattooist-TOTAL_FORMS": "0",
        "tattooist-INITIAL_FORMS": "0",
    }

    refused = staff.post(f"/admin/accounts/user/{user.pk}/change/", {**form, "name": "Evil\r\nName"})
    assert refused.status_code == 200  # the form again, with the error
    user.refresh_from_db()
    assert "\n" not in user.name
    accepted = staff.post(f"/admin/accounts/user/{user.pk}/change/", {**form, "name": "Good Name"})
    assert accepted.status_code == 302
    user.refresh_from_db()
    assert user.name == "Good Name"
