"""The signed consent before a session (issue 31, item 1), over HTTP: who signs, who reads, the age
rule, completion refused without it, the link mailed before the session, retention and key rotation.
The dump and the logs: test_consent_at_rest.py."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bookings import consent, notices
from bookings.models import Booking, BookingStatus, ConsentRecord
from bookings.tests.factories import BookingFactory, ConsentFactory, PaidBookingFactory
from notifications.models import Outbox
from tattoo.core import crypto
from testing.clients import client_for

pytestmark = pytest.mark.django_db

# A session far enough ahead that no clock the suite runs on reaches it: 15 June 2030, 12:00 in
# Ulaanbaatar. Its customer must be born on or before 15 June 2012.
SESSION = datetime(2030, 6, 15, 4, 0, tzinfo=UTC)


def form(**overrides) -> dict:
    body = {
        "dateOfBirth": "1994-03-02",
        "answers": {
            "pregnantOrNursing": False,
            "bloodThinners": True,
            "skinCondition": False,
            "diabetes": False,
            "heartCondition": False,
            "epilepsy": False,
            "allergies": "латекс",
            "medications": "",
            "notes": "Өглөө цай уусан",
        },
        "signature": "Болор Батын",
        "agree": True,
    }
    return {**body, **overrides}


def sign(user, booking, **overrides):
    return client_for(user).post(f"/api/bookings/{booking.pk}/consent", form(**overrides), format="json")


@pytest.fixture
def booking():
    return PaidBookingFactory(slot=SESSION, ends_at=SESSION + timedelta(hours=2))


def test_the_customer_signs_and_the_answer_names_the_flags(booking):
    response = sign(booking.customer, booking)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["flags"] == ["bloodThinners", "allergies"]
    assert body["answers"]["allergies"] == "латекс"
    assert body["dateOfBirth"] == "1994-03-02"
    record = ConsentRecord.objects.get(booking=booking)
    assert (record.key_id, record.form_version) == (crypto.primary_key_id(), 1)
    assert "латекс" not in record.sealed
    assert "Болор" not in record.sealed


@pytest.mark.parametrize(
    ("born", "status", "code"),
    [
        ("2012-06-15", 201, None),  # 18 on the session's day
        ("2012-06-16", 400, "underage"),  # 18 the day after
        ("2015-01-01", 400, "underage"),
    ],
)
def test_only_people_who_are_18_on_the_session_day_sign(booking, born, status, code):
    response = sign(booking.customer, booking, dateOfBirth=born)

    assert response.status_code == status, response.json()
    if code:
        assert response.json()["code"] == code
        assert "dateOfBirth" in response.json()["fields"]
        assert not ConsentRecord.objects.exists()


def test_the_age_is_judged_on_the_artists_calendar_day():
    # 23:30 on 14 June in UTC is already 15 June in Ulaanbaatar (UTC+8): the 18th birthday.
    late = datetime(2030, 6, 14, 23, 30, tzinfo=UTC)
    booking = PaidBookingFactory(slot=late, ends_at=late + timedelta(hours=2))
    assert consent.session_day(booking) == date(2030, 6, 15)
    assert sign(booking.customer, booking, dateOfBirth="2012-06-15").status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agree": False}, "agree"),
        ({"signature": "   "}, "signature"),
        ({"signature": "Bolor\u202eBat"}, "signature"),
        ({"dateOfBirth": "2999-01-01"}, "dateOfBirth"),
        ({"answers": {"bloodThinners": True}}, "answers.pregnantOrNursing"),
    ],
)
def test_an_incomplete_form_is_400_on_its_field_and_writes_nothing(booking, overrides, field):
    response = sign(booking.customer, booking, **overrides)

    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not ConsentRecord.objects.exists()


def test_signing_twice_or_for_a_booking_that_is_over_is_409(booking):
    assert sign(booking.customer, booking).status_code == 201
    again = sign(booking.customer, booking)
    assert (again.status_code, again.json()["code"]) == (409, "already_signed")

    cancelled = BookingFactory(status=BookingStatus.CANCELLED, customer=booking.customer)
    response = sign(booking.customer, cancelled)
    assert (response.status_code, response.json()["code"]) == (409, "not_signable")


def test_only_the_customer_signs(booking, outsider, admin_user):
    assert sign(outsider, booking).status_code == 403
    assert sign(booking.tattooist.user, booking).status_code == 403
    assert sign(admin_user, booking).status_code == 403
    assert client_for(outsider).post("/api/bookings/999999/consent", form(), format="json").status_code == 404
    assert not ConsentRecord.objects.exists()


def test_the_two_parties_read_the_answers_staff_only_that_it_exists(booking, outsider, admin_user):
    url = f"/api/bookings/{booking.pk}/consent"
    missing = client_for(booking.tattooist.user).get(url)
    assert (missing.status_code, missing.json()["code"]) == (404, "consent_missing")
    sign(booking.customer, booking)

    for party in (booking.customer, booking.tattooist.user):
        body = client_for(party).get(url).json()
        assert body["answers"]["notes"] == "Өглөө цай уусан"
        assert (body["signature"], body["flags"]) == ("Болор Батын", ["bloodThinners", "allergies"])

    staff = client_for(admin_user).get(url)
    assert staff.status_code == 200
    assert staff.json()["signedAt"]
    assert [staff.json()[k] for k in ("dateOfBirth", "answers", "signature", "flags")] == [None] * 4
    assert "Өглөө" not in staff.content.decode()
    assert client_for(outsider).get(url).status_code == 403


def test_completing_a_started_session_needs_the_signed_consent(booking):
    start = timezone.now() - timedelta(minutes=10)
    Booking.objects.filter(pk=booking.pk).update(slot=start, ends_at=start + timedelta(hours=2))
    artist = client_for(booking.tattooist.user)
    refused = artist.patch(f"/api/bookings/{booking.pk}", {"status": "completed"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "consent_missing")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED

    ConsentFactory(booking=booking)
    done = artist.patch(f"/api/bookings/{booking.pk}", {"status": "completed"}, format="json")
    assert done.status_code == 200, done.json()


def test_the_booking_page_offers_complete_only_once_the_consent_is_signed(client, booking):
    from bookings.services.moves import allowed_moves

    start = timezone.now() - timedelta(minutes=10)
    Booking.objects.filter(pk=booking.pk).update(slot=start, ends_at=start + timedelta(hours=2))
    booking.refresh_from_db()
    artist = booking.tattooist.user
    assert BookingStatus.COMPLETED not in allowed_moves(booking=booking, actor=artist)
    client.force_login(artist)
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert 'data-testid="consent-missing"' in page
    assert 'value="completed"' not in page

    ConsentFactory(booking=booking)
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert 'data-testid="consent-signed"' in page
    assert 'value="completed"' in page


# --- the link mailed before the session -------------------------------------------------------------


def _jobs(name: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT args::text, scheduled_at FROM procrastinate_jobs WHERE task_name = %s ORDER BY id", [name]
        )
        return [{**json.loads(args), "at": at} for args, at in cursor.fetchall()]


def test_the_form_link_is_planned_48_hours_before_a_confirmed_session_and_again_on_a_move(settings):
    from bookings.transitions import booking_move

    booking = BookingFactory(slot=SESSION, ends_at=SESSION + timedelta(hours=2))
    booking_move(booking_id=booking.pk, actor=None, to_status=BookingStatus.CONFIRMED, note="by hand")
    [planned] = _jobs(notices.CONSENT_REQUEST_TASK)
    assert planned["at"] == SESSION - timedelta(hours=settings.CONSENT_REQUEST_HOURS)
    assert set(planned) == {"booking_id", "slot", "at"}  # ids only: never an answer

    assert notices.consent_request_send(booking_id=booking.pk, slot=planned["slot"]) == 1
    row = Outbox.objects.get(kind="consent_request")
    assert row.recipient_id == booking.customer_id
    assert f"/bookings/{booking.pk}/consent/" in row.body_text
    assert notices.consent_request_send(booking_id=booking.pk, slot=planned["slot"]) == 0  # once

    moved = SESSION + timedelta(days=1)
    Booking.objects.filter(pk=booking.pk).update(slot=moved, ends_at=moved + timedelta(hours=2))
    booking.refresh_from_db()
    notices.booking_rescheduled(booking, before=SESSION)
    assert [j["slot"] for j in _jobs(notices.CONSENT_REQUEST_TASK)][-1] == booking.slot.isoformat()
    # the old start's job now does nothing; a signed form stops the new one too
    assert notices.consent_request_send(booking_id=booking.pk, slot=SESSION.isoformat()) == 0
    ConsentFactory(booking=booking)
    assert notices.consent_request_send(booking_id=booking.pk, slot=booking.slot.isoformat()) == 0


# --- retention and keys --------------------------------------------------------------------------------


def test_the_daily_job_deletes_consents_of_sessions_older_than_the_retention(settings):
    from bookings.tasks import purge_consents

    now = timezone.now()
    old = ConsentFactory(booking=BookingFactory(slot=now - timedelta(days=settings.CONSENT_RETENTION_DAYS + 1)))
    kept = ConsentFactory(booking=BookingFactory(slot=now - timedelta(days=settings.CONSENT_RETENTION_DAYS - 1)))
    assert settings.CONSENT_RETENTION_DAYS == 3 * 365

    assert purge_consents() == 1
    assert list(ConsentRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not ConsentRecord.objects.filter(pk=old.pk).exists()


def _new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_answers_sealed_under_an_old_key_still_read_and_the_command_moves_them_to_the_new_one(
    booking, settings, capsys
):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    assert sign(booking.customer, booking).status_code == 201
    new_key = _new_key()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]  # rotating: the new key first
    url = f"/api/bookings/{booking.pk}/consent"
    assert client_for(booking.tattooist.user).get(url).json()["answers"]["allergies"] == "латекс"
    record = ConsentRecord.objects.get(booking=booking)
    assert record.key_id == crypto.key_id(old_key)

    call_command("reencrypt_consents")
    assert "re-encrypted 1 consent(s); 0 left under another key" in capsys.readouterr().out
    record.refresh_from_db()
    assert record.key_id == crypto.key_id(new_key)

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    assert client_for(booking.customer).get(url).json()["signature"] == "Болор Батын"
    call_command("reencrypt_consents")  # nothing left to move
    assert "re-encrypted 0 consent(s)" in capsys.readouterr().out


def test_the_command_names_consents_no_configured_key_opens_and_leaves_them_alone(booking, settings):
    from django.core.management.base import CommandError

    record = ConsentFactory(booking=booking)
    sealed = record.sealed
    settings.FIELD_ENCRYPTION_KEYS = [_new_key()]
    with pytest.raises(CommandError, match=str(record.pk)):
        call_command("reencrypt_consents")
    record.refresh_from_db()
    assert record.sealed == sealed
