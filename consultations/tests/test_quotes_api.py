"""Quotes over HTTP: sending (each proposed start bookable for the quoted length), superseding,
accepting (the project and its first session, an unpaid hold of the quoted length and deposit),
declining (the expiry on a real job worker: test_quote_jobs.py)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from bookings.models import Booking, BookingStatus, DepositRole, PaymentStatus
from bookings.tests.factories import BookingFactory
from consultations.models import Consultation, Project, Quote
from consultations.services.common import EXPIRE_TASK, EXPIRING_TASK
from consultations.tests.helpers import accept, local, quote_body, send_quote, send_request
from notifications.models import Outbox
from testing.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(customer_api, artist):
    return send_request(customer_api, artist)


def test_a_quote_is_sent_with_its_expiry_jobs_and_the_customer_is_mailed(consultation, artist_api, artist, customer):
    starts = [local(artist, days=3), local(artist, days=4, at=time(10))]
    before = timezone.now()
    body = send_quote(artist_api, consultation["id"], starts, sessions=3, depositAppliesTo="last")
    assert body["status"] == "open"
    assert (body["version"], body["sessions"], body["sessionMinutes"]) == (1, 3, 180)
    assert (body["depositAmount"], body["depositAppliesTo"]) == ("100000.00", "last")
    expires = Quote.objects.get(pk=body["id"]).expires_at
    assert timedelta(hours=71, minutes=59) < expires - before <= timedelta(hours=72, seconds=5)  # default 72 h
    assert Consultation.objects.get(pk=consultation["id"]).status == "quoted"
    jobs = {j.task_name: j for j in ProcrastinateJob.objects.filter(task_name__startswith="consultations.")}
    assert jobs[EXPIRE_TASK].scheduled_at == expires
    assert jobs[EXPIRING_TASK].scheduled_at == expires - timedelta(hours=12)
    assert jobs[EXPIRE_TASK].args == {"quote_id": body["id"]}
    [told] = Outbox.objects.filter(kind="quote_sent")
    assert told.recipient_id == customer.pk
    assert "300,000 ₮ – 450,000 ₮" in told.subject  # a subject is one line of plain spaces
    assert "300,000\u00a0₮ – 450,000\u00a0₮" in told.body_text
    assert "3 sessions of 180 minutes" in told.body_text
    assert "it counts toward the last session" in told.body_text


def test_a_new_quote_supersedes_the_open_one(consultation, artist_api, artist):
    first = send_quote(artist_api, consultation["id"], [local(artist, days=3)])
    second = send_quote(artist_api, consultation["id"], [local(artist, days=5)], priceMin="250000")
    assert second["version"] == 2
    assert Quote.objects.get(pk=first["id"]).status == "superseded"
    assert Quote.objects.get(pk=second["id"]).status == "open"
    detail = client_for(artist.user).get(f"/api/consultations/{consultation['id']}").json()
    assert [(q["version"], q["status"]) for q in detail["quotes"]] == [(2, "open"), (1, "superseded")]


def test_a_proposed_start_must_be_bookable_for_the_quoted_length(consultation, artist_api, artist):
    late = local(artist, days=3, at=time(16))  # 16:00 + 180 minutes ends after the 18:00 close
    response = artist_api.post(f"/api/consultations/{consultation['id']}/quotes", quote_body([late]), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "slot_not_bookable"
    assert "proposedSlots" in response.json()["fields"]
    taken = local(artist, days=3)
    BookingFactory(tattooist=artist, slot=taken, ends_at=taken + timedelta(hours=2), status=BookingStatus.CONFIRMED)
    response = artist_api.post(f"/api/consultations/{consultation['id']}/quotes", quote_body([taken]), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "slot_not_bookable")
    assert send_quote(artist_api, consultation["id"], [late], sessionMinutes=120)["sessionMinutes"] == 120
    assert Quote.objects.count() == 1


def test_bad_quotes_are_400_on_their_field(consultation, artist_api, artist):
    start = local(artist, days=3)
    cases = {
        "priceMax": {"priceMin": "500000", "priceMax": "400000"},
        "depositAmount": {"depositAmount": "500000"},
        "expiresAt": {"expiresAt": (timezone.now() + timedelta(days=15)).isoformat()},
        "proposedSlots": {"proposedSlots": []},
        "sessions": {"sessions": 0},
    }
    for field, bad in cases.items():
        response = artist_api.post(
            f"/api/consultations/{consultation['id']}/quotes", quote_body([start], **bad), format="json"
        )
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()["fields"], (field, response.json())
    six = [local(artist, days=d) for d in range(3, 9)]
    response = artist_api.post(f"/api/consultations/{consultation['id']}/quotes", quote_body(six), format="json")
    assert response.status_code == 400
    assert "proposedSlots" in response.json()["fields"]
    assert not Quote.objects.exists()


def test_only_the_requests_artist_quotes(consultation, customer_api, artist):
    body = quote_body([local(artist, days=3)])
    assert customer_api.post(f"/api/consultations/{consultation['id']}/quotes", body, format="json").status_code == 403


def test_accepting_holds_the_first_session_for_the_quoted_length_and_deposit(
    consultation, customer_api, artist_api, artist, customer
):
    start = local(artist, days=3)
    quote = send_quote(artist_api, consultation["id"], [start, local(artist, days=4)], sessions=2, sessionMinutes=240)
    body = accept(customer_api, quote["id"], start)
    booking, project = body["booking"], body["project"]
    assert (booking["status"], booking["paymentStatus"], booking["depositAmount"]) == ("pending", "unpaid", "100000.00")
    row = Booking.objects.get(pk=booking["id"])
    assert (row.slot, row.ends_at - row.slot) == (start, timedelta(minutes=240))
    assert row.hold_expires_at is not None
    assert row.deposit_role == DepositRole.APPLY  # the deposit counts toward the first session
    assert ProcrastinateJob.objects.filter(task_name="bookings.expire_hold", args={"booking_id": row.pk}).exists()
    assert project == {
        "id": project["id"],
        "consultationId": consultation["id"],
        "tattooistId": artist.pk,
        "customerId": customer.pk,
        "sessionsPlanned": 2,
        "sessionMinutes": 240,
        "depositAmount": "100000.00",
        "depositAppliesTo": "first",
        "status": "awaiting_deposit",
        "sessions": [{"seq": 1, "bookingId": row.pk, "slot": booking["slot"], "status": "pending"}],
    }
    assert Quote.objects.get(pk=quote["id"]).status == "accepted"
    assert Consultation.objects.get(pk=consultation["id"]).status == "accepted"
    mails = dict(Outbox.objects.filter(kind__startswith="quote_accepted").values_list("kind", "recipient_id"))
    assert mails == {"quote_accepted_customer": customer.pk, "quote_accepted_artist": artist.user_id}
    # paid as any booking: the payment endpoint takes it (a verified customer's own hold)
    assert customer_api.get(f"/api/projects/{project['id']}").json()["status"] == "awaiting_deposit"


def test_an_accepted_quote_cannot_be_accepted_again_nor_a_time_it_did_not_propose(
    consultation, customer_api, artist_api, artist
):
    start = local(artist, days=3)
    quote = send_quote(artist_api, consultation["id"], [start])
    other = customer_api.post(
        f"/api/quotes/{quote['id']}/accept", {"slot": local(artist, days=5).isoformat()}, format="json"
    )
    assert (other.status_code, other.json()["code"]) == (400, "not_proposed")
    accept(customer_api, quote["id"], start)
    again = customer_api.post(f"/api/quotes/{quote['id']}/accept", {"slot": start.isoformat()}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "quote_closed")
    assert Project.objects.count() == 1
    assert Booking.objects.count() == 1


def test_a_quote_past_its_time_is_409_quote_expired_even_before_its_job_runs(
    consultation, customer_api, artist_api, artist
):
    start = local(artist, days=5)
    quote = send_quote(
        artist_api, consultation["id"], [start], expiresAt=(timezone.now() + timedelta(hours=2)).isoformat()
    )
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        late = client_for(Consultation.objects.get(pk=consultation["id"]).customer).post(
            f"/api/quotes/{quote['id']}/accept", {"slot": start.isoformat()}, format="json"
        )
    assert (late.status_code, late.json()["code"]) == (409, "quote_expired")
    assert not Booking.objects.exists()


def test_declining_puts_the_request_back_to_the_artist(consultation, customer_api, artist_api, artist):
    quote = send_quote(artist_api, consultation["id"], [local(artist, days=3)])
    assert artist_api.post(f"/api/quotes/{quote['id']}/decline").status_code == 403
    declined = customer_api.post(f"/api/quotes/{quote['id']}/decline")
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert Consultation.objects.get(pk=consultation["id"]).status == "submitted"
    assert Outbox.objects.filter(kind="quote_declined", recipient=artist.user).count() == 1
    again = customer_api.post(f"/api/quotes/{quote['id']}/accept", {"slot": quote["proposedSlots"][0]}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "quote_closed")
    assert send_quote(artist_api, consultation["id"], [local(artist, days=4)])["version"] == 2


def test_accepting_counts_as_a_hold_of_the_customer(consultation, customer, customer_api, artist_api, artist, settings):
    settings.BOOKING_MAX_UNPAID_HOLDS = 1
    BookingFactory(customer=customer, tattooist=artist, slot=local(artist, days=6), payment_status=PaymentStatus.UNPAID)
    start = local(artist, days=3)
    quote = send_quote(artist_api, consultation["id"], [start])
    response = customer_api.post(f"/api/quotes/{quote['id']}/accept", {"slot": start.isoformat()}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "too_many_holds")
    assert Quote.objects.get(pk=quote["id"]).status == "open"  # nothing half-written
    assert not Project.objects.exists()
