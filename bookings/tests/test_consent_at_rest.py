"""Consent answers are health data: a dump of the database (pg_dump, as scripts/backup_check.py runs
it) holds none of what the customer wrote, and neither do the outbox, the job queue (both in the
dump) or the log lines written along the way."""

from __future__ import annotations

import logging
import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bookings.models import Booking, BookingStatus, ConsentRecord
from bookings.tests.factories import PaidBookingFactory
from scripts.backup_check import client_bin
from testing.clients import client_for
from testing.jobs import database_url

# Words no other row of the test database holds, so finding one in the dump can only be a leak.
SECRETS = {
    "medications": "Варфарин-7Q4Z",
    "allergies": "никель-XK93",
    "notes": "зүрхний-хавхлага-PLM2",
    "signature": "Цэцэгмаа Зориглон",
    "dateOfBirth": "1987-11-23",
}


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_none_of_the_answers_nor_do_the_outbox_the_jobs_or_the_logs(caplog):
    caplog.set_level(logging.DEBUG, logger="inkbook")
    start = timezone.now() + timedelta(days=1)
    booking = PaidBookingFactory(slot=start, ends_at=start + timedelta(hours=2))
    body = {
        "dateOfBirth": SECRETS["dateOfBirth"],
        "answers": {
            "pregnantOrNursing": False,
            "bloodThinners": True,
            "skinCondition": False,
            "diabetes": True,
            "heartCondition": True,
            "epilepsy": False,
            "allergies": SECRETS["allergies"],
            "medications": SECRETS["medications"],
            "notes": SECRETS["notes"],
        },
        "signature": SECRETS["signature"],
        "agree": True,
    }
    response = client_for(booking.customer).post(f"/api/bookings/{booking.pk}/consent", body, format="json")
    assert response.status_code == 201, response.json()
    # The session happens and is completed: mails and jobs follow, none of them with an answer.
    started = timezone.now() - timedelta(minutes=5)
    Booking.objects.filter(pk=booking.pk).update(slot=started, ends_at=started + timedelta(hours=2))
    done = client_for(booking.tattooist.user).patch(
        f"/api/bookings/{booking.pk}", {"status": BookingStatus.COMPLETED}, format="json"
    )
    assert done.status_code == 200, done.json()
    assert (
        client_for(booking.tattooist.user).get(f"/api/bookings/{booking.pk}/consent").json()["answers"]["medications"]
        == SECRETS["medications"]
    )

    major = connection.cursor().connection.info.server_version // 10000
    dump = subprocess.run(
        [client_bin("pg_dump", major), "--no-owner", "--data-only", database_url()],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout

    record = ConsentRecord.objects.get(booking=booking)
    assert record.sealed[:40] in dump  # the consent row is in the dump, as a token
    assert "procrastinate_jobs" in dump
    assert "notification_outbox" in dump
    for name, text in SECRETS.items():
        assert text not in dump, f"the dump holds the {name}"
        assert all(text not in r.getMessage() for r in caplog.records), f"a log line holds the {name}"
