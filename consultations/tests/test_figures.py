"""The inbox of an artist with 1,000 requests in a constant number of queries; the artist's response
time on their public detail (`responseHours`); the figures of the staff's report of answers and paid
deposits (its page: backoffice/tests/test_consultation_report.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Tattooist
from accounts.tests.factories import CustomerFactory, TattooistFactory
from consultations.models import Consultation, ConsultationMessage, Quote
from consultations.selectors import conversion_report, response_hours
from consultations.tests.helpers import local, pay, send_quote, send_request
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def many_requests(artist, count: int, *, answered_after: timedelta | None = None, created_ago=timedelta(days=1)):
    """`count` requests written in one statement (the list's cost, not the writes', is measured)."""
    customers = [CustomerFactory() for _ in range(min(count, 20))]
    now = timezone.now()
    rows = Consultation.objects.bulk_create(
        Consultation(
            customer=customers[i % len(customers)],
            tattooist=artist,
            description=f"Idea {i}",
            placement="back",
            width_cm=20,
            height_cm=30,
            colour="colour",
            date_of_birth="1990-01-01",
            first_answered_at=now - created_ago + answered_after if answered_after is not None else None,
        )
        for i in range(count)
    )
    # created_at is set on insert: put the requests in the past as a batch
    Consultation.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=now - created_ago)
    return rows


def test_an_artists_inbox_of_1000_requests_costs_the_same_queries_as_one_of_3(artist):
    small = TattooistFactory(booking_mode="request")
    many_requests(small, 3)
    rows = many_requests(artist, 1000)
    ConsultationMessage.objects.bulk_create(
        ConsultationMessage(consultation=row, author=row.customer, body="Hello") for row in rows[::3]
    )
    big, little = client_for(artist.user), client_for(small.user)

    def queries(client, query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/consultations{query}")
        assert response.status_code == 200
        return len(captured.captured_queries), response.json()

    cost_small, body_small = queries(little, "")
    cost_first, body = queries(big, "?pageSize=100")
    cost_last, body_last = queries(big, "?pageSize=100&page=10")
    assert body_small["count"] == 3
    assert (body["count"], len(body["results"]), len(body_last["results"])) == (1000, 100, 100)
    assert cost_small == cost_first == cost_last <= 4, (cost_small, cost_first, cost_last)
    assert sum(r["messageCount"] for r in body["results"]) == len([r for r in rows[-100:] if rows.index(r) % 3 == 0])


def test_response_hours_is_the_median_over_90_days_and_null_under_three_answers(customer_api, artist):
    assert client_for(CustomerFactory()).get(f"/api/tattooists/{artist.pk}").json()["responseHours"] is None
    many_requests(artist, 2, answered_after=timedelta(hours=5))
    assert response_hours(tattooist_id=artist.pk) is None  # two answers: no figure yet
    many_requests(artist, 1, answered_after=timedelta(hours=2))
    many_requests(artist, 2, answered_after=timedelta(hours=30))
    many_requests(artist, 4)  # not answered: not in the median
    many_requests(artist, 5, answered_after=timedelta(hours=1), created_ago=timedelta(days=91))  # too old
    # answers after 2, 5, 5, 30, 30 hours: the median is 5
    assert response_hours(tattooist_id=artist.pk) == 5.0
    detail = client_for(CustomerFactory()).get(f"/api/tattooists/{artist.pk}").json()
    assert detail["responseHours"] == 5.0


def test_the_staff_report_counts_answers_and_paid_deposits_per_artist(customer_api, artist):
    # one request quoted, accepted and paid; one answered only; one never answered
    paid = send_request(customer_api, artist)
    start = local(artist, days=3)
    quote = send_quote(client_for(artist.user), paid["id"], [start])
    accepted = customer_api.post(f"/api/quotes/{quote['id']}/accept", {"slot": start.isoformat()}, format="json").json()
    pay(accepted["booking"]["id"])
    talked = send_request(customer_api, artist)
    client_for(artist.user).post(f"/api/consultations/{talked['id']}/messages", {"body": "Which arm?"}, format="json")
    send_request(client_for(CustomerFactory()), artist)
    other = TattooistFactory(booking_mode="request")
    many_requests(other, 4, answered_after=timedelta(hours=3))

    rows = {row.tattooist_id: row for row in conversion_report()}
    assert (rows[artist.pk].requests, rows[artist.pk].answered, rows[artist.pk].paid) == (3, 2, 1)
    assert rows[artist.pk].median_hours is None  # two answers
    assert (rows[other.pk].requests, rows[other.pk].answered, rows[other.pk].median_hours) == (4, 4, 3.0)
    overall = rows[None]
    assert (overall.requests, overall.answered, overall.paid) == (7, 6, 1)
    assert overall.paid_share == pytest.approx(1 / 7)
    assert Quote.objects.get().deposit_amount == Decimal("100000")


def _reply_time_on_the_page(artist, language: str) -> str | None:
    from django.core.cache import caches
    from django.test import Client

    # A visitor's artist page is kept up to a minute (tattoo/core/http_cache.py, CLOCK); answers to
    # requests do not bump the artist's version, so each look here starts from an empty store.
    caches["public"].clear()
    html = Client().get(f"/artists/{artist.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    found = re.search(r'<dt>([^<]*)</dt><dd data-testid="reply-time">([^<]*)</dd>', html)
    return f"{found[1]}: {found[2]}" if found else None


def test_the_artist_page_says_how_soon_the_artist_replies_to_requests_in_words(artist):
    many_requests(artist, 2, answered_after=timedelta(hours=5))
    assert _reply_time_on_the_page(artist, "en") is None  # two answers: no figure yet
    many_requests(artist, 2, answered_after=timedelta(hours=30))
    many_requests(artist, 1, answered_after=timedelta(hours=4, minutes=40))
    # answers after 4.7, 5, 5, 30, 30 hours: the median, 5 hours, in CLDR's words
    assert _reply_time_on_the_page(artist, "en") == "Replies to requests in: about 5 hours"
    assert _reply_time_on_the_page(artist, "mn") == "Хүсэлтэд хариулах хугацаа: ойролцоогоор 5 цаг"
    many_requests(artist, 4, answered_after=timedelta(hours=50))
    assert _reply_time_on_the_page(artist, "en") == "Replies to requests in: about 1 day"  # 30 hours
    # an artist who takes direct bookings only is not asked for requests: the page says nothing
    Tattooist.objects.filter(pk=artist.pk).update(booking_mode="direct")
    assert _reply_time_on_the_page(artist, "en") is None
