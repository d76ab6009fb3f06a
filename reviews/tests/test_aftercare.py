"""Aftercare mails (issue 31, item 3) with a real job worker and a moved clock: day 0 (the artist's
text or the default), day 3, day 21, in the customer's language; none after a dispute opens; none
for a customer who turned them off (the mail's own one-click link)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client

from bookings.models import BookingStatus
from bookings.services.moves import booking_change_status
from bookings.tests.factories import BookingFactory, ConsentFactory
from bookings.tests.helpers import NOW
from disputes.services import dispute_open_by_party
from notifications.models import Outbox
from reviews import aftercare
from testing.jobs import JobClock

# The session started an hour before NOW; it is marked completed at NOW.
SLOT = NOW - timedelta(hours=1)


def completed_session(tattooist, **customer):
    booking = BookingFactory(
        tattooist=tattooist,
        status=BookingStatus.CONFIRMED,
        slot=SLOT,
        ends_at=SLOT + timedelta(hours=2),
        hold_expires_at=None,
        **{f"customer__{k}": v for k, v in customer.items()},
    )
    ConsentFactory(booking=booking)
    booking_change_status(booking_id=booking.pk, actor=tattooist.user, to_status=BookingStatus.COMPLETED)
    return booking


def aftercare_mails(booking) -> list[str]:
    return list(
        Outbox.objects.filter(event_key__startswith=f"booking:{booking.pk}:aftercare:")
        .order_by("id")
        .values_list("kind", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_the_customer_gets_aftercare_on_day_0_3_and_21_in_their_language(tattooist, run_jobs, settings):
    tattooist.aftercare_text = "Боолтоо 3 цагийн дараа авна уу."
    tattooist.save(update_fields=["aftercare_text"])
    with time_machine.travel(NOW, tick=False) as traveller:
        booking = completed_session(tattooist, language="mn", name="Болор Бат")
        clock = JobClock(traveller, run_jobs)

        clock.run_at(NOW + timedelta(seconds=1))
        [day0] = Outbox.objects.filter(kind="aftercare_day0")
        assert (day0.recipient_id, day0.language, day0.status) == (booking.customer_id, "mn", "sent")
        assert "Боолтоо 3 цагийн дараа авна уу." in day0.body_text  # the artist's own words
        assert "/unsubscribe/aftercare/?token=" in day0.headers["List-Unsubscribe"]
        assert day0.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

        clock.run_at(SLOT + timedelta(days=3) - timedelta(minutes=1))
        assert aftercare_mails(booking) == ["aftercare_day0"]
        clock.run_at(SLOT + timedelta(days=3, seconds=1))
        assert aftercare_mails(booking) == ["aftercare_day0", "aftercare_check_in"]

        clock.run_at(SLOT + timedelta(days=settings.HEALED_PHOTO_DAYS) - timedelta(minutes=1))
        assert len(aftercare_mails(booking)) == 2
        clock.run_at(SLOT + timedelta(days=settings.HEALED_PHOTO_DAYS, seconds=1))
        assert aftercare_mails(booking) == ["aftercare_day0", "aftercare_check_in", "aftercare_healed"]
        healed = Outbox.objects.get(kind="aftercare_healed")
        assert f"/bookings/{booking.pk}/#review" in healed.body_text
        assert "эдгэрлээ" in healed.subject  # in Mongolian: "has healed"
        assert all(row.status == "sent" for row in Outbox.objects.filter(kind__startswith="aftercare"))
        # a job run again sends nothing twice
        assert aftercare.aftercare_send(booking_id=booking.pk, day=3) == 0


@pytest.mark.django_db(transaction=True)
def test_no_aftercare_after_a_dispute_opens_nor_for_a_customer_who_turned_it_off(tattooist, run_jobs):
    with time_machine.travel(NOW, tick=False) as traveller:
        disputed = completed_session(tattooist)
        unsubscribed = completed_session(tattooist)
        Outbox.objects.filter(kind="booking_completed_customer").delete()
        clock = JobClock(traveller, run_jobs)
        clock.run_at(NOW + timedelta(seconds=1))
        assert aftercare_mails(disputed) == aftercare_mails(unsubscribed) == ["aftercare_day0"]

        dispute_open_by_party(booking_id=disputed.pk, user=disputed.customer, reason="Шивээс буруу")
        link = Outbox.objects.get(kind="aftercare_day0", recipient=unsubscribed.customer).headers["List-Unsubscribe"]
        [token] = parse_qs(urlsplit(link[1:-1]).query)["token"]
        response = Client().post(f"/unsubscribe/aftercare/?token={token}", {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        unsubscribed.customer.refresh_from_db()
        assert (unsubscribed.customer.aftercare_enabled, unsubscribed.customer.reminders_enabled) == (False, True)

        clock.run_at(SLOT + timedelta(days=30))
        assert aftercare_mails(disputed) == aftercare_mails(unsubscribed) == ["aftercare_day0"]


@pytest.mark.django_db
def test_completing_plans_day_0_3_and_21_and_without_a_text_the_default_goes_in_the_customers_language(
    tattooist, in_memory_jobs
):
    for language, words in (("en", "mild, unscented soap"), ("mn", "саван")):
        with time_machine.travel(NOW, tick=False):
            booking = completed_session(tattooist, language=language)
        planned = sorted(
            (job["args"]["day"], job["scheduled_at"])
            for job in in_memory_jobs.connector.jobs.values()
            if job["task_name"] == aftercare.SEND_TASK and job["args"]["booking_id"] == booking.pk
        )
        assert planned == [(0, NOW), (3, SLOT + timedelta(days=3)), (21, SLOT + timedelta(days=21))]
        assert aftercare.aftercare_send(booking_id=booking.pk, day=0) == 1
        row = Outbox.objects.get(kind="aftercare_day0", recipient=booking.customer)
        assert words in row.body_text, row.body_text


@pytest.mark.django_db
def test_the_customer_turns_aftercare_mails_off_in_the_api_or_the_settings_page(customer, client):
    from testing.clients import client_for

    api = client_for(customer)
    assert api.get("/api/auth/me").json()["aftercareEnabled"] is True
    response = api.patch("/api/auth/me", {"aftercareEnabled": False}, format="json")
    assert (response.status_code, response.json()["aftercareEnabled"]) == (200, False)
    assert api.patch("/api/auth/me", {"aftercareEnabled": "often"}, format="json").status_code == 400

    client.force_login(customer)
    client.post("/account/settings/", {"reminders_enabled": "on", "aftercare_enabled": "on", "language": "en"})
    customer.refresh_from_db()
    assert (customer.aftercare_enabled, customer.reminders_enabled) == (True, True)
    # a reminder's one-click link cannot turn aftercare off, nor the other way round
    from accounts.tokens import AFTERCARE, unsubscribe_token_make

    reminder_token = unsubscribe_token_make(customer)
    assert client.post(f"/unsubscribe/aftercare/?token={reminder_token}").status_code == 400
    aftercare_token = unsubscribe_token_make(customer, AFTERCARE)
    assert client.post(f"/unsubscribe/?token={aftercare_token}").status_code == 400
    customer.refresh_from_db()
    assert (customer.aftercare_enabled, customer.reminders_enabled) == (True, True)
