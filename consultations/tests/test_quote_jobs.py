"""Quotes expiring on their own, on a real job worker (testing/jobs.py `run_jobs`: the engine's
worker in this process, against the test database). Not in `make test-clocks`: the worker finds
due jobs by the database's clock, which --clock does not move."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from bookings.models import Booking, BookingStatus
from consultations.models import Consultation, Project, Quote
from consultations.services.common import EXPIRE_TASK, EXPIRING_TASK
from consultations.tests.helpers import accept, local, send_quote, send_request
from notifications.models import Outbox
from testing.clients import client_for


@pytest.mark.django_db(transaction=True)
def test_an_open_quote_expires_on_its_own_at_its_time_and_both_parties_are_told(artist, customer, run_jobs):
    """Sent 14 hours ago with 13 hours to live: both its jobs are due by the database's clock, and
    the worker runs them: the quote expires (the reminder, run after it, finds it closed)."""
    sent_at = timezone.now() - timedelta(hours=14)
    with time_machine.travel(sent_at, tick=False):
        consultation = send_request(client_for(customer), artist)
        start = local(artist, days=4)
        quote = send_quote(
            client_for(artist.user), consultation["id"], [start], expiresAt=(sent_at + timedelta(hours=13)).isoformat()
        )
    Outbox.objects.all().delete()

    run_jobs()

    row = Quote.objects.get(pk=quote["id"])
    assert row.status == "expired"
    assert Consultation.objects.get(pk=consultation["id"]).status == "expired"
    jobs = dict(
        ProcrastinateJob.objects.filter(task_name__startswith="consultations.").values_list("task_name", "status")
    )
    assert jobs == {EXPIRE_TASK: "succeeded", EXPIRING_TASK: "succeeded"}
    told = sorted(Outbox.objects.filter(kind__startswith="quote_expired").values_list("kind", "recipient_id"))
    assert told == [("quote_expired_artist", artist.user_id), ("quote_expired_customer", customer.pk)]
    late = client_for(customer).post(f"/api/quotes/{quote['id']}/accept", {"slot": start.isoformat()}, format="json")
    assert (late.status_code, late.json()["code"]) == (409, "quote_closed")
    # the artist may quote the expired request again
    assert send_quote(client_for(artist.user), consultation["id"], [local(artist, days=5)])["version"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_superseded_or_accepted_quotes_jobs_do_nothing(artist, customer, run_jobs):
    sent_at = timezone.now() - timedelta(hours=14)
    with time_machine.travel(sent_at, tick=False):
        consultation = send_request(client_for(customer), artist)
        expires = (sent_at + timedelta(hours=13)).isoformat()
        first = send_quote(client_for(artist.user), consultation["id"], [local(artist, days=4)], expiresAt=expires)
        start = local(artist, days=5)
        second = send_quote(client_for(artist.user), consultation["id"], [start], expiresAt=expires)
        accept(client_for(customer), second["id"], start)
    Outbox.objects.all().delete()

    run_jobs()

    assert dict(Quote.objects.values_list("pk", "status")) == {first["id"]: "superseded", second["id"]: "accepted"}
    assert not Outbox.objects.filter(kind__startswith="quote_").exists()  # no reminder, no expiry mail
    assert Consultation.objects.get(pk=consultation["id"]).status == "accepted"
    # the accepted quote's hold expired meanwhile, unpaid: so did the project
    assert Booking.objects.get().status == BookingStatus.EXPIRED
    assert Project.objects.get().status == "cancelled"
    assert Decimal(Project.objects.get().deposit_amount) == Decimal("100000")


@pytest.mark.django_db(transaction=True)
def test_the_customer_is_reminded_12_hours_before_an_open_quote_expires(artist, customer, run_jobs):
    sent_at = timezone.now() - timedelta(hours=10)
    with time_machine.travel(sent_at, tick=False):
        consultation = send_request(client_for(customer), artist)
        quote = send_quote(
            client_for(artist.user),
            consultation["id"],
            [local(artist, days=4)],
            expiresAt=(sent_at + timedelta(hours=20)).isoformat(),  # in 10 hours: the reminder is due
        )

    run_jobs()

    assert Quote.objects.get(pk=quote["id"]).status == "open"
    [reminder] = Outbox.objects.filter(kind="quote_expiring")
    assert reminder.recipient_id == customer.pk
    assert artist.user.name in reminder.subject
    assert not Outbox.objects.filter(kind__startswith="quote_expired").exists()
    jobs = dict(
        ProcrastinateJob.objects.filter(task_name__startswith="consultations.").values_list("task_name", "status")
    )
    assert jobs == {EXPIRE_TASK: "todo", EXPIRING_TASK: "succeeded"}
