"""Real threads against PostgreSQL (transaction=True), over HTTP: one quote accepted once; an accept
and direct bookings of the same time, one winner."""

from __future__ import annotations

from collections import Counter
from datetime import time, timedelta

import pytest

from accounts.tests.factories import CustomerFactory
from bookings.models import Booking
from consultations.models import Project, Quote
from consultations.tests.helpers import local, send_quote, send_request
from testing.clients import client_for
from testing.races import hammer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def post_accept(client, quote_id: int, slot):
    response = client.post(f"/api/quotes/{quote_id}/accept", {"slot": slot.isoformat()}, format="json")
    return response.status_code, response.json().get("code")


def test_racing_accepts_of_one_quote_make_one_project(customer, artist):
    consultation = send_request(client_for(customer), artist)
    starts = [local(artist, days=3), local(artist, days=4)]
    quote = send_quote(client_for(artist.user), consultation["id"], starts)
    clients = [client_for(customer) for _ in range(8)]  # the customer's phone and laptop, tapping twice

    results = hammer(lambda i: post_accept(clients[i], quote["id"], starts[i % 2]), n=8)

    assert Counter(code for code, _ in results) == {201: 1, 409: 7}, results
    assert {err for code, err in results if code == 409} == {"quote_closed"}
    assert Project.objects.count() == 1
    assert Booking.objects.count() == 1
    assert Quote.objects.get().status == "accepted"


def test_an_accept_racing_direct_bookings_of_the_same_time_leaves_one_winner(customer, artist):
    start = local(artist, days=3, at=time(12))
    consultation = send_request(client_for(customer), artist)
    quote = send_quote(client_for(artist.user), consultation["id"], [start], sessionMinutes=120)
    accepting = client_for(customer)
    others = [client_for(CustomerFactory()) for _ in range(7)]

    def go(i: int):
        if i == 0:
            return "accept", *post_accept(accepting, quote["id"], start)
        response = others[i - 1].post(
            "/api/bookings",
            {
                "tattooistId": artist.pk,
                "slot": (start + timedelta(minutes=30 * (i % 2))).isoformat(),
                "depositAmount": "50000",
            },
            format="json",
        )
        return "book", response.status_code, response.json().get("code")

    results = hammer(go, n=8)

    assert Counter(code for _, code, _ in results) == {201: 1, 409: 7}, results
    assert {err for _, code, err in results if code == 409} == {"slot_taken"}
    assert Booking.objects.count() == 1
    accepted = next(r for r in results if r[0] == "accept")
    assert (Project.objects.count() == 1) is (accepted[1] == 201)
    assert Quote.objects.get().status == ("accepted" if accepted[1] == 201 else "open")  # nothing half-written
