"""The pages of custom work without a browser (Django's test client, session login): who sees
what, the forms' answers, and every write a POST that redirects."""

from __future__ import annotations

from datetime import UTC, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.models import Booking
from consultations.models import Consultation, Project, Quote
from consultations.tests.helpers import local, pay, send_quote, send_request

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(artist, **over) -> dict:
    return {
        "description": "A small moth",
        "placement": "ankle",
        "width_cm": "5",
        "height_cm": "6",
        "colour": "colour",
        "date_of_birth": "1999-02-03",
        **over,
    }


def test_the_request_form_sends_a_request_without_photos_and_shows_its_refusals(customer, artist):
    client = logged_in(customer)
    page = client.get(f"/artists/{artist.pk}/request/")
    assert page.status_code == 200
    assert 'data-testid="request-form"' in page.content.decode()
    assert 'inputmode="numeric"' in page.content.decode()  # the phone's number pad
    young = (timezone.now() - timedelta(days=365 * 17)).date().isoformat()
    refused = client.post(f"/artists/{artist.pk}/request/", form(artist, date_of_birth=young))
    assert refused.status_code == 400
    assert "18 and over" in refused.content.decode()
    sent = client.post(f"/artists/{artist.pk}/request/", form(artist))
    consultation = Consultation.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == f"/consultations/{consultation.pk}/"
    assert (consultation.placement, consultation.width_cm, consultation.colour) == ("ankle", 5, "colour")
    direct = TattooistFactory(booking_mode="direct")
    closed = client.get(f"/artists/{direct.pk}/request/")
    assert 'data-testid="requests-closed"' in closed.content.decode()
    assert client.post(f"/artists/{direct.pk}/request/", form(direct)).status_code == 200  # shown, not sent
    assert Consultation.objects.count() == 1
    assert logged_in(artist.user).get(f"/artists/{artist.pk}/request/").status_code == 403
    assert Client().get(f"/artists/{artist.pk}/request/").status_code == 302  # to the login page


def test_the_inbox_and_the_request_page_show_each_party_their_part(customer, customer_api, artist, outsider):
    consultation = send_request(customer_api, artist)
    inbox = logged_in(artist.user).get("/consultations/").content.decode()
    assert f"/consultations/{consultation['id']}/" in inbox
    assert customer.name in inbox
    assert logged_in(outsider).get("/consultations/").content.decode().count('data-testid="consultation-row"') == 0
    as_artist = logged_in(artist.user).get(f"/consultations/{consultation['id']}/").content.decode()
    assert 'data-testid="quote-form"' in as_artist
    assert 'data-testid="decline"' in as_artist
    as_customer = logged_in(customer).get(f"/consultations/{consultation['id']}/").content.decode()
    assert 'data-testid="quote-form"' not in as_customer
    assert 'data-testid="withdraw"' in as_customer
    assert logged_in(outsider).get(f"/consultations/{consultation['id']}/").status_code == 403
    assert logged_in(outsider).get("/consultations/987654321/").status_code == 404


def test_the_quote_form_offers_the_artists_own_free_starts_for_the_chosen_length(customer_api, artist):
    consultation = send_request(customer_api, artist)
    client = logged_in(artist.user)
    two_hours = client.get(f"/consultations/{consultation['id']}/?minutes=120").context["quote_form"]
    eight_hours = client.get(f"/consultations/{consultation['id']}/?minutes=480").context["quote_form"]

    def starts(quote_form):
        return [value for _day, options in quote_form.fields["proposed_slots"].choices for value, _label in options]

    assert len(starts(two_hours)) > len(starts(eight_hours)) > 0  # 10:00-18:00 holds one 8-hour session a day
    taken = local(artist, days=2, at=time(10))
    Booking.objects.create(
        customer=CustomerFactory(), tattooist=artist, slot=taken, ends_at=taken + timedelta(hours=2), deposit_amount=0
    )
    assert taken.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") not in starts(
        client.get(f"/consultations/{consultation['id']}/?minutes=120").context["quote_form"]
    )
    chosen = starts(two_hours)[:2]
    sent = client.post(
        f"/consultations/{consultation['id']}/quote/",
        {
            "price_min": "200000",
            "price_max": "250000",
            "sessions": "1",
            "session_minutes": "120",
            "deposit_amount": "50000",
            "deposit_applies_to": "first",
            "proposed_slots": chosen,
            "note": "",
            "expires_in_hours": "72",
        },
    )
    assert sent.status_code == 302
    quote = Quote.objects.get()
    assert [s.strftime("%Y-%m-%dT%H:%M:%SZ") for s in quote.proposed_slots] == chosen
    assert timedelta(hours=71) < quote.expires_at - timezone.now() <= timedelta(hours=72)
    bad = client.post(f"/consultations/{consultation['id']}/quote/", {"session_minutes": "120", "proposed_slots": []})
    assert bad.status_code == 400
    assert Quote.objects.count() == 1


def test_the_quote_page_accepts_then_offers_to_pay_and_the_project_page_books_the_next_session(
    customer, customer_api, artist_api, artist
):
    consultation = send_request(customer_api, artist)
    start = local(artist, days=3)
    quote = send_quote(artist_api, consultation["id"], [start], sessions=2)
    client = logged_in(customer)
    page = client.get(f"/quotes/{quote['id']}/").content.decode()
    assert 'data-testid="accept"' in page
    assert 'data-testid="accept"' not in logged_in(artist.user).get(f"/quotes/{quote['id']}/").content.decode()
    accepted = client.post(
        f"/quotes/{quote['id']}/accept/", {"slot": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    assert accepted.status_code == 302
    after = client.get(f"/quotes/{quote['id']}/").content.decode()
    booking = Booking.objects.get()
    assert f'action="/bookings/{booking.pk}/pay/"' in after  # pay, as for any booking
    project = Project.objects.get()
    booking_page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert f'href="/projects/{project.pk}/"' in booking_page  # the session knows its project
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="book-next"' not in page  # not before the deposit is paid
    assert "not paid yet" not in page  # the awaiting state is the status line, not an error
    pay(booking.pk)
    page = client.get(f"/projects/{project.pk}/")
    assert 'data-testid="book-next"' in page.content.decode()
    earliest = page.context["earliest"]
    assert earliest == booking.ends_at + timedelta(days=artist.heal_days)  # Ulaanbaatar has no DST
    choice = page.context["session_form"].fields["slot"].choices[0][1][0][0]
    booked = client.post(f"/projects/{project.pk}/sessions/", {"slot": choice})
    assert booked.status_code == 302
    assert Booking.objects.count() == 2
    cancelled = client.post(f"/projects/{project.pk}/cancel/")
    assert cancelled.status_code == 302
    assert Project.objects.get().status == "cancelled"
    assert logged_in(CustomerFactory()).get(f"/projects/{project.pk}/").status_code == 403


def test_the_artist_declines_and_the_customer_withdraws_from_the_page(customer, customer_api, artist):
    first = send_request(customer_api, artist)
    second = send_request(customer_api, artist)
    declined = logged_in(artist.user).post(f"/consultations/{first['id']}/decline/", {"reason": "Too small for me."})
    assert declined.status_code == 302
    assert Consultation.objects.get(pk=first["id"]).status == "declined"
    empty = logged_in(artist.user).post(f"/consultations/{second['id']}/decline/", {"reason": ""})
    assert empty.status_code == 400
    assert logged_in(customer).post(f"/consultations/{second['id']}/decline/", {"reason": "x"}).status_code == 403
    withdrawn = logged_in(customer).post(f"/consultations/{second['id']}/withdraw/")
    assert withdrawn.status_code == 302
    assert Consultation.objects.get(pk=second["id"]).status == "withdrawn"
