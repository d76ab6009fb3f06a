"""A paid deposit tells both parties once, however many times (and how concurrently) the payment
is notified."""

from __future__ import annotations

import json

import pytest

from notifications.models import Outbox
from payments.tests.factories import TransactionFactory
from payments.tests.test_notify import notification, post, sign
from testing.races import hammer


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_duplicate_notifications_send_one_confirmation_per_party():
    txn = TransactionFactory()
    booking = txn.booking
    body = json.dumps(notification(txn)).encode()

    results = hammer(lambda i: post(None, raw=body, headers=sign(body)).json()["result"], n=20)

    assert results.count("processed") == 1, results
    confirmations = Outbox.objects.filter(kind__startswith="booking_confirmed")
    assert sorted(confirmations.values_list("kind", "to_address")) == sorted(
        [
            ("booking_confirmed_artist", booking.tattooist.user.email),
            ("booking_confirmed_customer", booking.customer.email),
        ]
    )
    for row in confirmations:
        [attachment] = row.attachments
        assert "METHOD:REQUEST" in attachment["content"]

    # ...one send job each, and a job run twice (a retry) mails once: one mail per party.
    from django.core import mail
    from django.db import connection

    from notifications.services import outbox_send

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (args->>'outbox_id')::int FROM procrastinate_jobs WHERE task_name = 'notifications.send'"
        )
        send_jobs = sorted(row[0] for row in cursor.fetchall())
    assert send_jobs == sorted(confirmations.values_list("pk", flat=True))
    for outbox_id in send_jobs * 2:
        outbox_send(outbox_id=outbox_id)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([booking.tattooist.user.email, booking.customer.email])
