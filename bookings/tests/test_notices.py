"""What a booking's parties are told: each event once, to the right people, with a calendar invite
whose UID stays and whose SEQUENCE grows; reminders at the right time, never for a booking that
moved or ended."""

from __future__ import annotations

import json
from datetime import timedelta

import icalendar
import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from bookings.models import BookingStatus, PaymentStatus
from bookings.services.moves import booking_change_status, booking_reschedule
from bookings.tests.helpers import NOW, open_every_day
from bookings.tests.jobhelpers import free_slots
from bookings.transitions import booking_move
from notifications.models import Outbox
from notifications.services import outbox_send
from testing.jobs import JobClock


def kinds(**filters) -> list[tuple[str, str]]:
    return sorted(Outbox.objects.filter(**filters).values_list("kind", "to_address"))


def calendar(row: Outbox) -> icalendar.Calendar:
    [attachment] = row.attachments
    assert attachment["mimetype"].startswith("text/calendar; method=")
    return icalendar.Calendar.from_ical(attachment["content"])


def jobs(name: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT args::text, scheduled_at FROM procrastinate_jobs WHERE task_name = %s ORDER BY id", [name]
        )
        return [{**json.loads(args), "at": at} for args, at in cursor.fetchall()]


@pytest.fixture
def booked(frozen, customer, open_artist):
    from bookings.services.create import booking_create

    slot = free_slots(open_artist)[0]
    return booking_create(customer=customer, tattooist_id=open_artist.pk, slot=slot, deposit_amount=50000)


def test_a_new_booking_tells_the_customer_about_the_hold_and_the_artist_about_the_booking(booked):
    customer, artist = booked.customer, booked.tattooist.user
    # written by the create in its own transaction, like every other booking event's mail
    sends = jobs("notifications.send")
    assert len(sends) == 2
    assert {row.pk for row in Outbox.objects.all()} == {job["outbox_id"] for job in sends}
    assert kinds() == sorted([("booking_created_customer", customer.email), ("booking_created_artist", artist.email)])
    to_customer = Outbox.objects.get(kind="booking_created_customer")
    assert to_customer.reply_to == artist.email
    assert "50,000\u00a0₮" in to_customer.body_text  # tattoo.core.l10n.money (docs/i18n.md)
    assert "press “Pay deposit with QPay”" in to_customer.body_text  # the button's own words
    # the hold's end in the artist's zone (Asia/Ulaanbaatar, UTC+8): booked at NOW + 30 minutes;
    # the subject short, the body with the zone named
    assert to_customer.subject.endswith(", 08:30")
    assert "08:30 (Ulaanbaatar time)" in to_customer.body_text
    assert "Asia/Ulaanbaatar" not in to_customer.subject + to_customer.body_text
    assert Outbox.objects.get(kind="booking_created_artist").reply_to == customer.email


def test_paying_confirms_with_an_invite_to_both_and_a_reschedule_updates_it(booked, settings):
    booking_move(
        booking_id=booked.pk,
        actor=None,
        to_status=BookingStatus.CONFIRMED,
        to_payment_status=PaymentStatus.PAID,
        note="paid",
    )
    confirmed = Outbox.objects.filter(kind__startswith="booking_confirmed")
    assert sorted(r.to_address for r in confirmed) == sorted([booked.customer.email, booked.tattooist.user.email])
    first = calendar(confirmed.get(kind="booking_confirmed_customer"))
    assert first["METHOD"] == "REQUEST"
    [event] = first.walk("VEVENT")
    assert str(event["UID"]) == f"booking-{booked.pk}@127.0.0.1"
    assert event["DTSTART"].params["TZID"] == "Asia/Ulaanbaatar"
    assert event["DTSTART"].dt == booked.slot
    assert first.walk("VTIMEZONE"), "the invite carries the zone's definition"

    new_slot = free_slots(booked.tattooist, count=3)[2]
    booking_reschedule(booking_id=booked.pk, actor=booked.tattooist.user, slot=new_slot)
    moved = Outbox.objects.get(kind="booking_rescheduled_customer")
    [event2] = calendar(moved).walk("VEVENT")
    assert str(event2["UID"]) == str(event["UID"])
    assert int(event2["SEQUENCE"]) > int(event["SEQUENCE"])
    assert event2["DTSTART"].dt == new_slot

    booking_change_status(booking_id=booked.pk, actor=booked.tattooist.user, to_status=BookingStatus.CANCELLED)
    cancel = Outbox.objects.get(kind="booking_cancelled_customer")
    cancelled = calendar(cancel)
    assert cancelled["METHOD"] == "CANCEL"
    [event3] = cancelled.walk("VEVENT")
    assert str(event3["UID"]) == str(event["UID"])
    assert int(event3["SEQUENCE"]) > int(event2["SEQUENCE"])
    assert "refunded or kept" in cancel.body_text

    # The mail on the wire: the calendar part keeps its method parameter.
    outbox_send(outbox_id=cancel.pk)
    [sent] = mail.outbox
    raw = sent.message().as_string()
    assert 'text/calendar; charset="utf-8"; method="CANCEL"' in raw or 'method="CANCEL"' in raw


def test_an_expired_hold_tells_both_without_a_calendar_file(booked):
    booking_move(booking_id=booked.pk, actor=None, to_status=BookingStatus.EXPIRED, note="hold expired")
    rows = Outbox.objects.filter(kind__startswith="booking_expired")
    assert rows.count() == 2
    assert all(r.attachments == [] for r in rows)
    assert "No deposit was paid" in rows.get(kind="booking_expired_customer").body_text


def test_the_same_move_notified_again_sends_nothing_more(booked):
    from bookings import notices

    booking_move(booking_id=booked.pk, actor=None, to_status=BookingStatus.CONFIRMED, note="by hand")
    booked.refresh_from_db()
    before = Outbox.objects.count()
    notices.booking_moved(booked, from_status=BookingStatus.PENDING, from_pay=PaymentStatus.UNPAID)
    assert Outbox.objects.count() == before


# --- reminders ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_reminder_goes_out_once_at_the_right_time_to_those_who_want_it(customer, tattooist, run_jobs, settings):
    open_every_day(tattooist)
    with time_machine.travel(NOW, tick=False) as clock:
        from bookings.services.create import booking_create

        slot = free_slots(tattooist, count=3)[2]
        booking = booking_create(customer=customer, tattooist_id=tattooist.pk, slot=slot, deposit_amount=50000)
        booking_change_status(booking_id=booking.pk, actor=tattooist.user, to_status=BookingStatus.CONFIRMED)
        [planned] = jobs("bookings.send_reminder")
        assert planned["at"] == slot - timedelta(hours=settings.REMINDER_HOURS)
        tattooist.user.reminders_enabled = False
        tattooist.user.save(update_fields=["reminders_enabled"])
        jobclock = JobClock(clock, run_jobs)

        jobclock.run_at(slot - timedelta(hours=settings.REMINDER_HOURS, minutes=1))
        assert not Outbox.objects.filter(kind__startswith="booking_reminder").exists()

        jobclock.run_at(slot - timedelta(hours=settings.REMINDER_HOURS) + timedelta(seconds=1))
        [reminder] = Outbox.objects.filter(kind__startswith="booking_reminder")
        assert (reminder.kind, reminder.to_address) == ("booking_reminder_customer", customer.email)
        assert "/unsubscribe/?token=" in reminder.headers["List-Unsubscribe"]
        assert reminder.status == "sent"  # its send job ran too (the test settings' locmem backend)

        from bookings import notices

        assert notices.booking_remind(booking_id=booking.pk, slot=slot.isoformat()) == 0  # never twice


@pytest.mark.django_db(transaction=True)
def test_no_reminder_after_a_cancel_and_a_replanned_one_after_a_reschedule(customer, tattooist, run_jobs, settings):
    from bookings.services.create import booking_create

    open_every_day(tattooist)
    with time_machine.travel(NOW, tick=False) as clock:
        first, second, third = free_slots(tattooist, count=5)[2:5]
        cancelled = booking_create(customer=customer, tattooist_id=tattooist.pk, slot=first, deposit_amount=50000)
        booking_change_status(booking_id=cancelled.pk, actor=tattooist.user, to_status=BookingStatus.CONFIRMED)
        booking_change_status(booking_id=cancelled.pk, actor=tattooist.user, to_status=BookingStatus.CANCELLED)

        moved = booking_create(customer=customer, tattooist_id=tattooist.pk, slot=second, deposit_amount=50000)
        booking_change_status(booking_id=moved.pk, actor=tattooist.user, to_status=BookingStatus.CONFIRMED)
        booking_reschedule(booking_id=moved.pk, actor=tattooist.user, slot=third)
        assert [j["slot"] for j in jobs("bookings.send_reminder")] == [
            first.isoformat(),
            second.isoformat(),
            third.isoformat(),
        ]

        jobclock = JobClock(clock, run_jobs)
        jobclock.run_at(second - timedelta(hours=settings.REMINDER_HOURS) + timedelta(minutes=1))
        assert not Outbox.objects.filter(kind__startswith="booking_reminder").exists()

        jobclock.run_at(third - timedelta(hours=settings.REMINDER_HOURS) + timedelta(minutes=1))
        reminders = Outbox.objects.filter(kind__startswith="booking_reminder")
        assert sorted(r.event_key for r in reminders) == [f"booking:{moved.pk}:reminder:{third.isoformat()}"] * 2
        assert timezone.now() < third


# --- one-click unsubscribe (RFC 8058) on reminders only ------------------------------------------------


def test_a_reminder_carries_a_one_click_unsubscribe_link_for_its_recipient_and_other_mails_none(booked, settings):
    from urllib.parse import parse_qs, urlsplit

    from accounts.tokens import unsubscribe_token_user
    from bookings import notices

    settings.SITE_URL = "https://inkbook.example.com"
    booking_move(booking_id=booked.pk, actor=None, to_status=BookingStatus.CONFIRMED, note="by hand")
    booked.refresh_from_db()
    assert notices.booking_remind(booking_id=booked.pk, slot=booked.slot.isoformat()) == 2

    for row in Outbox.objects.exclude(kind__startswith="booking_reminder"):  # created, confirmed: transactional
        outbox_send(outbox_id=row.pk)
    transactional = list(mail.outbox)
    assert len(transactional) == 4
    for sent in transactional:
        raw = sent.message().as_string()
        assert "List-Unsubscribe" not in raw, sent.subject

    for row in Outbox.objects.filter(kind__startswith="booking_reminder"):
        mail.outbox.clear()
        outbox_send(outbox_id=row.pk)
        [sent] = mail.outbox
        message = sent.message()
        link = message["List-Unsubscribe"]
        assert link.startswith("<https://inkbook.example.com/unsubscribe/?token=")
        assert link.endswith(">")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        [token] = parse_qs(urlsplit(link[1:-1]).query)["token"]
        assert unsubscribe_token_user(token) == row.recipient  # each recipient's own link


def test_each_party_gets_the_mail_and_the_invite_in_their_own_saved_language(booked):
    booked.customer.language = "mn"
    booked.customer.save(update_fields=["language"])
    booking_move(
        booking_id=booked.pk, actor=None, to_status=BookingStatus.CONFIRMED, to_payment_status=PaymentStatus.PAID
    )
    to_customer = Outbox.objects.get(kind="booking_confirmed_customer")
    to_artist = Outbox.objects.get(kind="booking_confirmed_artist")
    assert to_customer.language == "mn"
    assert "Захиалгыг нээх" in to_customer.body_text  # "Open the booking", in Python
    assert "50,000\u00a0₮" in to_customer.body_text
    [mn_event] = calendar(to_customer).walk("VEVENT")
    [en_event] = calendar(to_artist).walk("VEVENT")
    assert str(mn_event["SUMMARY"]).startswith("Шивээсний цаг: ")
    assert str(en_event["SUMMARY"]).startswith("Tattoo session: ")
    assert str(mn_event["UID"]) == str(en_event["UID"])  # one event, two languages
    assert "Open the booking" in to_artist.body_text
