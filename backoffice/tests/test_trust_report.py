"""The staff's trust report (issue 31, item 4): consent completion, review rate and healed-photo
rate, per week of the sessions and in total, in the admin next to the weekly report."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from backoffice.selectors import trust_report
from bookings.models import BookingStatus
from bookings.tests.factories import BookingFactory, ConsentFactory
from bookings.tests.helpers import NOW
from reviews.tests.factories import CompletedBookingFactory, ReviewFactory
from testing.clients import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(tattooist):
    """Started: 2 completed 30 days ago (both reviewed, one with a healed photo), 1 completed 2 days
    ago (not reviewed), 1 confirmed that started an hour ago (no consent). Not started: a no-show,
    a cancelled one and a confirmed one tomorrow. Consent signed for 3 of the 4 started."""
    with time_machine.travel(NOW, tick=False):
        old = [CompletedBookingFactory(tattooist=tattooist, days_ago=30) for _ in range(2)]
        recent = CompletedBookingFactory(tattooist=tattooist, days_ago=2)
        started = BookingFactory(tattooist=tattooist, status=BookingStatus.CONFIRMED, slot=NOW - timedelta(hours=1))
        for status, slot in ((BookingStatus.NO_SHOW, NOW - timedelta(days=3)), (BookingStatus.CANCELLED, NOW)):
            BookingFactory(tattooist=tattooist, status=status, slot=slot - timedelta(hours=2))
        BookingFactory(tattooist=tattooist, status=BookingStatus.CONFIRMED, slot=NOW + timedelta(days=1))
        for booking in (*old, recent):
            ConsentFactory(booking=booking)
        ReviewFactory(booking=old[0], image_key="reviews/1/a.jpg", image_url="http://127.0.0.1:1/a.jpg")
        ReviewFactory(booking=old[1])
    return old, recent, started


def test_the_report_counts_consent_completion_reviews_and_healed_photos(sessions):
    rows, total = trust_report(weeks=12, now=NOW)

    assert len(rows) == 12
    assert (total.started, total.consented, total.completed, total.reviewed) == (4, 3, 3, 2)
    assert (total.photo_due, total.photos) == (2, 1)
    assert (total.consent_rate, round(total.review_rate, 3), total.photo_rate) == (0.75, 0.667, 0.5)
    # NOW is a Monday 00:00 UTC: the sessions of 30 days ago fall in the week of 27 April, the
    # recent two (Saturday and Sunday) in the week of 25 May, and this week has none yet.
    busy = [(r.week.date().isoformat(), r.started, r.completed) for r in rows if r.started]
    assert busy == [("2026-04-27", 2, 2), ("2026-05-25", 2, 1)]
    assert rows[-1].week == NOW
    assert rows[-1].started == 0
    assert rows[-1].consent_rate is None


@pytest.mark.parametrize(("language", "words"), [("en", "Consent completion"), ("mn", "Зөвшөөрөл бөглөлт")])
def test_staff_read_the_report_next_to_the_weekly_one_in_their_language(client, admin_user, sessions, language, words):
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    staff_login(client, admin_user)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin-trust-report") in index
    assert reverse("admin-reports") in index

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        page = client.get(reverse("admin-trust-report"))

    assert page.status_code == 200
    html = page.content.decode()
    assert words in html
    assert "75% (3/4)" in html
    assert "50% (1/2)" in html


def test_nobody_but_staff_reads_the_report(client, customer):
    client.force_login(customer)
    assert client.get(reverse("admin-trust-report")).status_code == 302
