"""The outbox: one row per (event, recipient, kind), a send that never repeats once accepted,
failures recorded and retried, staff's view of a message that keeps failing."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from notifications import services
from notifications.models import Outbox, OutboxStatus
from notifications.services import Message, notify, outbox_send


def _jobs(name: str) -> list[dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT args::text FROM procrastinate_jobs WHERE task_name = %s ORDER BY id", [name])
        return [json.loads(row[0]) for row in cursor.fetchall()]


def _closed_port() -> int:
    """A loopback port nothing listens on: a real connection refusal, the way a down server fails."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def user(db):
    return CustomerFactory(name="Saran", email="saran@example.test")


def message(**kw) -> Message:
    return Message(kind="artist_approved", context={"note": "Welcome"}, **kw)


def test_notify_writes_one_row_and_its_send_job_and_a_repeat_writes_nothing(user):
    rows = notify(event="artist:1:approval:x", recipients=[user], message=message())
    assert [r.to_address for r in rows] == ["saran@example.test"]
    again = notify(event="artist:1:approval:x", recipients=[user], message=message())
    assert again == []
    assert Outbox.objects.count() == 1
    assert _jobs("notifications.send") == [{"outbox_id": rows[0].pk}]


def test_a_repeat_inside_a_transaction_does_not_abort_it(user):
    with transaction.atomic():
        notify(event="e1", recipients=[user], message=message())
        notify(event="e1", recipients=[user], message=message())
        user.name = "Still writable"
        user.save(update_fields=["name"])
    assert Outbox.objects.count() == 1


def test_a_rolled_back_change_leaves_no_message_and_no_job(user):
    def change():
        with transaction.atomic():
            notify(event="e2", recipients=[user], message=message())
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change()
    assert Outbox.objects.count() == 0
    assert _jobs("notifications.send") == []


def test_the_mail_has_text_and_html_parts_reply_to_and_headers(user, settings):
    other = CustomerFactory(email="artist@example.test")
    [row] = notify(
        event="e3",
        recipients=[user],
        message=message(
            action_url="https://inkbook.example/x", action_label="Open", reply_to=other, headers={"X-Test": "1"}
        ),
    )
    assert outbox_send(outbox_id=row.pk) == services.SENT
    [sent] = mail.outbox
    assert sent.to == ["saran@example.test"]
    assert sent.reply_to == ["artist@example.test"]
    assert sent.subject == "Your Inkbook artist profile is approved"
    assert "Hello Saran," in sent.body
    assert "Open: https://inkbook.example/x" in sent.body
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html"
    assert 'href="https://inkbook.example/x"' in html
    assert "Welcome" in html
    assert sent.extra_headers["X-Test"] == "1"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at is not None) == (OutboxStatus.SENT, 1, True)


def test_a_sent_message_is_never_sent_again_even_after_its_claim_goes_stale(user, settings):
    [row] = notify(event="e4", recipients=[user], message=message())
    assert outbox_send(outbox_id=row.pk) == services.SENT
    # A retry of the job (the worker died after the server accepted it) finds it sent.
    assert outbox_send(outbox_id=row.pk) == services.NOT_DUE
    assert outbox_send(outbox_id=row.pk, now=timezone.now() + timedelta(hours=1)) == services.NOT_DUE
    assert len(mail.outbox) == 1


def test_a_send_claimed_by_a_live_runner_is_left_alone_and_a_dead_ones_is_taken_over(user, settings):
    [row] = notify(event="e5", recipients=[user], message=message())
    Outbox.objects.filter(pk=row.pk).update(status=OutboxStatus.SENDING, claimed_at=timezone.now(), attempts=1)
    assert outbox_send(outbox_id=row.pk) == services.NOT_DUE
    assert mail.outbox == []
    later = timezone.now() + timedelta(seconds=settings.EMAIL_CLAIM_SECONDS + 1)
    assert outbox_send(outbox_id=row.pk, now=later) == services.SENT
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 2


def test_a_refused_connection_is_recorded_retried_and_finally_failed_for_staff(user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_MAX_ATTEMPTS = 3
    [row] = notify(event="e6", recipients=[user], message=message())
    for attempt in (1, 2):
        with pytest.raises(services.UpstreamUnavailable):
            outbox_send(outbox_id=row.pk)
        row.refresh_from_db()
        assert (row.status, row.attempts) == (OutboxStatus.RETRYING, attempt)
        assert "ConnectionRefusedError" in row.last_error
    assert outbox_send(outbox_id=row.pk) == services.FAILED
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    # Staff's "send again" gives it a fresh set of attempts and a new job.
    assert services.outbox_resend(outbox_ids=[row.pk]) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 0)
    assert len(_jobs("notifications.send")) == 2


def test_the_admin_lists_failed_messages_with_their_last_error(user, admin_user):
    from django.test import Client

    from testing.clients import staff_login

    [row] = notify(event="e7", recipients=[user], message=message())
    Outbox.objects.filter(pk=row.pk).update(status=OutboxStatus.FAILED, last_error="SMTPDataError: 554 rejected")
    client = Client()
    staff_login(client, admin_user)
    response = client.get("/admin/notifications/outbox/?status__exact=failed")
    assert response.status_code == 200
    assert b"SMTPDataError: 554 rejected" in response.content


def test_the_sweep_requeues_a_send_whose_worker_died(user, settings):
    [row] = notify(event="e8", recipients=[user], message=message())
    claimed = timezone.now() - timedelta(seconds=settings.EMAIL_CLAIM_SECONDS + 5)
    Outbox.objects.filter(pk=row.pk).update(status=OutboxStatus.SENDING, claimed_at=claimed, attempts=1)
    assert services.outbox_requeue_stalled() == 1
    assert services.outbox_requeue_stalled() == 0  # one waiting job is enough
    assert _jobs("notifications.send") == [{"outbox_id": row.pk}, {"outbox_id": row.pk}]


def test_an_inactive_user_gets_nothing(user):
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert notify(event="e9", recipients=[user], message=message()) == []


def test_every_attempt_of_a_row_carries_the_message_id_stored_when_it_was_written(user, settings):
    settings.DEFAULT_FROM_EMAIL = "Inkbook <no-reply@inkbook.example.com>"
    [row] = notify(event="e8", recipients=[user], message=message())
    [other] = notify(event="e9", recipients=[user], message=message())
    assert row.message_id.endswith("@inkbook.example.com>")
    assert row.message_id != other.message_id  # unique per row, never derived from its id alone
    # A worker died mid-send: the claim goes stale and the row is sent again, with the same id.
    Outbox.objects.filter(pk=row.pk).update(status=OutboxStatus.SENDING, claimed_at=timezone.now(), attempts=1)
    later = timezone.now() + timedelta(seconds=settings.EMAIL_CLAIM_SECONDS + 1)
    assert outbox_send(outbox_id=row.pk, now=later) == services.SENT
    assert mail.outbox[0].extra_headers["Message-ID"] == Outbox.objects.get(pk=row.pk).message_id == row.message_id
