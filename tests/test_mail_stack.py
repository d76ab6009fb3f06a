"""Mail over the real stack: the web app (live server), a job worker process (the Procfile's
`jobs:`) sending through SMTP to the local catcher (the Procfile's `mail:`, maildev), read back over
the catcher's JSON API; payments through the QPay worker and sandbox processes."""

from __future__ import annotations

import pytest
import requests

from accounts.tests.factories import TattooistFactory
from bookings.tests.helpers import open_every_day
from bookings.tests.jobhelpers import free_slots

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stack(live_server, mail_catcher, job_workers, settings):
    settings.SITE_URL = live_server.url
    job_workers.start(SITE_URL=live_server.url, **mail_catcher.worker_env())
    return live_server.url


@pytest.fixture
def artist(db):
    artist = TattooistFactory(approved=True)
    open_every_day(artist)
    return artist


def api(base: str, path: str, body: dict | None = None, *, token: str | None = None, method: str = "POST"):
    # English, like the suite's test clients (testing/language.py): the product's default is Mongolian.
    headers = {"Accept-Language": "en", **({"Authorization": f"Bearer {token}"} if token else {})}
    return requests.request(method, f"{base}{path}", json=body, headers=headers, timeout=30)


def test_signup_mails_a_link_and_verifying_it_allows_booking(stack, mail_catcher, artist):
    email = "fresh.customer@example.test"
    signup = api(
        stack,
        "/api/auth/signup",
        {"name": "Fresh", "email": email, "password": "a long fine password", "role": "customer"},
    )
    assert signup.status_code == 201, signup.text
    access = signup.json()["access"]
    booking = {"tattooistId": artist.pk, "slot": free_slots(artist)[0].isoformat(), "depositAmount": "50000"}
    refused = api(stack, "/api/bookings", booking, token=access)
    assert (refused.status_code, refused.json()["code"]) == (403, "email_unverified")

    [mail] = mail_catcher.wait_for(lambda m: email in mail_catcher.to(m))
    assert mail["subject"] == "Confirm your e-mail address for Inkbook"
    assert mail["html"]
    assert "Confirm my address" in mail["html"]
    token = mail_catcher.token(mail, "/verify-email/")
    assert api(stack, "/api/auth/verify-email", {"token": token}).status_code == 200
    assert api(stack, "/api/auth/verify-email", {"token": token}).status_code == 400

    booked = api(stack, "/api/bookings", booking, token=access)
    assert booked.status_code == 201, booked.text
    # ...and the booking itself is told: the hold to the customer, the news to the artist
    mail_catcher.wait_for(lambda m: artist.user.email in mail_catcher.to(m) and "New booking" in m["subject"])
    [hold] = mail_catcher.wait_for(
        lambda m: email in mail_catcher.to(m) and "Pay the deposit for your booking" in m["subject"]
    )
    raw = mail_catcher.source(hold)
    assert f"Reply-To: {artist.user.email}" in raw  # an answer reaches the artist
    assert "Content-Type: text/html" in raw


def test_a_reset_mail_sets_a_new_password_and_old_refresh_tokens_stop_working(stack, mail_catcher):
    from accounts.tests.factories import PASSWORD, CustomerFactory

    user = CustomerFactory(email="forgetful@example.test")
    old = api(stack, "/api/auth/login", {"email": user.email, "password": PASSWORD}).json()["refresh"]
    assert api(stack, "/api/auth/password/reset", {"email": user.email}).status_code == 202
    assert api(stack, "/api/auth/password/reset", {"email": "nobody@example.test"}).status_code == 202

    [mail] = mail_catcher.wait_for(lambda m: user.email in mail_catcher.to(m))
    token = mail_catcher.token(mail, "/password/reset/")
    confirm = api(stack, "/api/auth/password/reset/confirm", {"token": token, "password": "my new long password"})
    assert confirm.status_code == 200, confirm.text
    assert api(stack, "/api/auth/refresh", {"refresh": old}).status_code == 401
    assert api(stack, "/api/auth/login", {"email": user.email, "password": "my new long password"}).status_code == 200
    assert not [m for m in mail_catcher.messages() if "nobody@example.test" in mail_catcher.to(m)]


def test_a_paid_deposit_sends_both_an_invite_and_a_cancel_tells_the_customer(
    stack, mail_catcher, artist, customer, qpay_worker, settings
):
    settings.PAYMENT_NOTIFY_URL = f"{stack}/api/payments/notify"
    from accounts.tests.factories import PASSWORD

    access = api(stack, "/api/auth/login", {"email": customer.email, "password": PASSWORD}).json()["access"]
    slot = free_slots(artist)[0].isoformat()
    booking = api(
        stack, "/api/bookings", {"tattooistId": artist.pk, "slot": slot, "depositAmount": "50000"}, token=access
    )
    assert booking.status_code == 201, booking.text
    booking_id = booking.json()["id"]
    invoice = api(stack, "/api/payments/create", {"bookingId": booking_id}, token=access)
    assert invoice.status_code == 201, invoice.text
    paid = requests.post(
        f"{qpay_worker.sandbox_url}/sandbox/invoices/{invoice.json()['qpayInvoiceId']}/pay", json={}, timeout=30
    )
    assert paid.status_code == 200, paid.text

    for address in (customer.email, artist.user.email):
        [mail] = mail_catcher.wait_for(
            lambda m, a=address: a in mail_catcher.to(m) and m["subject"].startswith("Confirmed"), timeout=60
        )
        calendars = [a for a in mail.get("attachments") or [] if a.get("contentType", "").startswith("text/calendar")]
        assert calendars, mail.get("attachments")

    artist_access = api(stack, "/api/auth/login", {"email": artist.user.email, "password": PASSWORD}).json()["access"]
    cancelled = api(stack, f"/api/bookings/{booking_id}", {"status": "cancelled"}, token=artist_access, method="PATCH")
    assert cancelled.status_code == 200, cancelled.text
    [mail] = mail_catcher.wait_for(
        lambda m: customer.email in mail_catcher.to(m) and m["subject"].startswith("Cancelled")
    )
    assert "refunded or kept" in mail["text"]
