"""The custom work report (/admin/reports/consultations/): per artist, requests, answers and the
ones that reached a paid deposit (the figures themselves: consultations/tests/test_figures.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.tests.helpers import open_every_day
from consultations.tests.helpers import local, pay, send_quote, send_request
from testing.clients import client_for, staff_login

pytestmark = pytest.mark.django_db


def test_staff_read_answers_and_paid_deposits_per_artist_linked_from_the_index(customer, admin_user):
    artist = TattooistFactory(booking_mode="both")
    open_every_day(artist)
    customer_api, artist_api = client_for(customer), client_for(artist.user)
    # one request quoted, accepted and paid; one answered only; one never answered
    paid = send_request(customer_api, artist)
    start = local(artist, days=3)
    quote = send_quote(artist_api, paid["id"], [start])
    accepted = customer_api.post(f"/api/quotes/{quote['id']}/accept", {"slot": start.isoformat()}, format="json").json()
    pay(accepted["booking"]["id"])
    talked = send_request(customer_api, artist)
    artist_api.post(f"/api/consultations/{talked['id']}/messages", {"body": "Which arm?"}, format="json")
    send_request(client_for(CustomerFactory()), artist)
    other = TattooistFactory(booking_mode="request")
    send_request(client_for(CustomerFactory()), other)

    client = Client()
    staff_login(client, admin_user)
    page = client.get("/admin/reports/consultations/")
    assert page.status_code == 200
    html = page.content.decode()
    assert artist.user.name in html
    assert other.user.name in html
    assert "1 (33 %)" in html  # one of the artist's three requests reached a paid deposit
    assert client.get("/admin/").content.decode().count("/admin/reports/consultations/") == 1
