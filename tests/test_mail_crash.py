"""A job worker killed after the mail server accepted a message but before the outbox row says
`sent`: the message is not lost, and it is delivered again with the same Message-ID, at most
twice (docs/notifications.md "Delivery").

Real processes: a `manage.py procrastinate worker` subprocess (the Procfile's `jobs:`) sends over
SMTP to an aiosmtpd server this test runs. The server stores the message and answers 250 to DATA
(the message is accepted); when the worker then says QUIT, which Django's SMTP backend does inside
`send()`, before `outbox_send` can mark the row `sent`, the server's handler SIGKILLs the worker
and only then answers. The row is left `sending`; a second worker and the stalled-row sweep
(`outbox_requeue_stalled`, called here instead of waiting for its minute) deliver it again.
"""

from __future__ import annotations

import email
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction

from accounts.tests.factories import CustomerFactory
from notifications import services
from notifications.models import Outbox, OutboxStatus
from notifications.services import Message, notify
from testing.s3 import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLAIM_SECONDS = 2  # a claim older than this is a dead sender's (EMAIL_CLAIM_SECONDS), here and in the workers


class KillOnFirstQuit:
    """aiosmtpd handler: keeps every accepted message; after the first accepted one, kills the
    sending worker (the `victim`) before answering its QUIT."""

    def __init__(self) -> None:
        self.received: list[email.message.Message] = []
        self.victim = None
        self.killed = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 2.0.0 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        if self.received and not self.killed.is_set() and self.victim is not None:
            # The worker is blocked on this reply inside send(): it heard the 250 for DATA but has
            # not returned to outbox_send, so the row cannot be `sent` yet.
            self.victim.kill()
            self.killed.set()
        return "221 Bye"


@pytest.fixture
def smtp_server():
    handler = KillOnFirstQuit()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller
    controller.stop()


def wait_until(predicate, *, timeout: float, message: str, tick=None):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, message
        if tick is not None:
            tick()
        time.sleep(0.3)


def test_a_worker_killed_after_the_server_accepted_a_mail_loses_nothing_and_repeats_it_with_the_same_message_id(
    smtp_server, job_workers, settings
):
    handler, controller = smtp_server
    settings.EMAIL_CLAIM_SECONDS = CLAIM_SECONDS  # the sweep below runs in this process
    worker_env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_CLAIM_SECONDS": str(CLAIM_SECONDS),
    }
    user = CustomerFactory(name="Saran", email="saran@example.test")
    with transaction.atomic():
        [row] = notify(
            event="crash-test:1",
            recipients=[user],
            message=Message(kind="artist_approved", context={"note": "Welcome"}),
        )
    assert row.message_id  # stored with the row, before any attempt

    handler.victim = job_workers.start(name="jobs-killed", **worker_env)
    assert handler.killed.wait(timeout=60), "the first worker never delivered the mail"
    assert handler.victim.proc.returncode == -9
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENDING, 1)  # accepted, never marked sent
    assert len(handler.received) == 1

    job_workers.start(name="jobs-after", **worker_env)
    wait_until(
        lambda: Outbox.objects.get(pk=row.pk).status == OutboxStatus.SENT,
        timeout=60,
        message="the stalled row was never sent again",
        tick=services.outbox_requeue_stalled,  # the minute sweep, without waiting for its minute
    )
    time.sleep(CLAIM_SECONDS + 1.5)  # the time a further, wrong, attempt would take to show
    services.outbox_requeue_stalled()  # finds nothing: the row is sent

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 2, "")
    # What the recipient gets: the same message twice, recognisable as one by its Message-ID.
    assert len(handler.received) == 2, [m["Subject"] for m in handler.received]
    first, again = handler.received
    assert first["Message-ID"] == again["Message-ID"] == row.message_id
    assert first["To"] == again["To"] == "saran@example.test"
    assert first["Subject"] == again["Subject"] == "Your Inkbook artist profile is approved"
    assert first.get_payload(0).get_payload(decode=True) == again.get_payload(0).get_payload(decode=True)
