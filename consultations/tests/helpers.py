"""Helpers for the consultations tests: requests, quotes, projects over the API (not fixtures)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bookings.models import Booking
from payments.tests.factories import TransactionFactory
from payments.tests.test_notify import notification, post


def local(artist, *, days: int, at: time = time(12), base: datetime | None = None) -> datetime:
    """`days` after today (the artist's calendar) at `at` on the artist's wall clock."""
    zone = ZoneInfo(artist.timezone)
    day = (base or datetime.now(UTC)).astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, at, tzinfo=zone)


def request_body(artist, **over) -> dict:
    return {
        "tattooistId": artist.pk,
        "description": "A koi fish rising through waves.",
        "placement": "forearm",
        "widthCm": 10,
        "heightCm": 15,
        "colour": "black_grey",
        "dateOfBirth": "1995-05-01",
        **over,
    }


def send_request(client, artist, **over) -> dict:
    response = client.post("/api/consultations", request_body(artist, **over), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def quote_body(starts, **over) -> dict:
    return {
        "priceMin": "300000",
        "priceMax": "450000",
        "sessions": 1,
        "sessionMinutes": 180,
        "depositAmount": "100000",
        "depositAppliesTo": "first",
        "proposedSlots": [s.isoformat() for s in starts],
        "note": "Line work first, shading at the second.",
        **over,
    }


def send_quote(client, consultation_id: int, starts, **over) -> dict:
    response = client.post(f"/api/consultations/{consultation_id}/quotes", quote_body(starts, **over), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def accept(client, quote_id: int, slot: datetime) -> dict:
    response = client.post(f"/api/quotes/{quote_id}/accept", {"slot": slot.isoformat()}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def pay(booking_id: int, amount: Decimal | None = None) -> None:
    """The deposit paid at QPay, as the worker relays it: its signed notification, over HTTP."""
    booking = Booking.objects.get(pk=booking_id)
    txn = TransactionFactory(booking=booking, amount=booking.deposit_amount)
    paid = f"{amount or booking.deposit_amount:.2f}"
    answer = post(notification(txn, paid=paid, payment_id=uuid.uuid4().hex[:20]))
    assert answer.json() == {"result": "processed"}, answer.content


def project_with_paid_deposit(customer_api, artist_api, artist, *, sessions=3, applies_to="first", days=3, minutes=180):
    """A request, a quote of `sessions`, accepted at noon `days` ahead, its deposit paid: (project, first booking)."""
    consultation = send_request(customer_api, artist)
    start = local(artist, days=days)
    quote = send_quote(
        artist_api, consultation["id"], [start], sessions=sessions, depositAppliesTo=applies_to, sessionMinutes=minutes
    )
    accepted = accept(customer_api, quote["id"], start)
    pay(accepted["booking"]["id"])
    return accepted["project"], accepted["booking"]
