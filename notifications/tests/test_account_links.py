"""Live reset and verification links are never stored in the outbox that every staff member reads
(issue 26, item 7; notifications/links.py): the link is made when the mail is sent, and sent
account mails are purged after a day."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory
from notifications import account_mail, tasks
from notifications.models import Outbox, OutboxStatus
from notifications.services import outbox_send
from testing.clients import staff_login

pytestmark = pytest.mark.django_db


def run_queued(task: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT args::text FROM procrastinate_jobs WHERE task_name = %s ORDER BY id", [task])
        for (args,) in cursor.fetchall():
            {"notifications.password_reset": account_mail.password_reset_send}[task](**json.loads(args))


def link_token(text: str, path: str) -> str:
    link = next(word for word in text.split() if path in word)
    return parse_qs(urlsplit(link).query)["token"][0]


def test_a_reset_link_is_made_when_its_mail_is_sent_and_never_shown_to_staff(admin_user):
    user = CustomerFactory(email="owner@example.test")
    assert APIClient().post("/api/auth/password/reset", {"email": user.email}, format="json").status_code == 202
    run_queued("notifications.password_reset")
    row = Outbox.objects.get(kind="password_reset")

    # what staff can read: the stored row, in the admin
    for stored in (row.body_text, row.body_html, row.subject, json.dumps(row.headers)):
        assert "token=" not in stored
    staff = Client()
    staff_login(staff, admin_user)
    page = staff.get(f"/admin/notifications/outbox/{row.pk}/change/")
    assert page.status_code == 200
    assert "/password/reset/?token=" not in page.content.decode()
    assert "the link is made when this mail is sent" in page.content.decode()

    # what the owner receives: a live link, in both parts
    assert outbox_send(outbox_id=row.pk) == "sent"
    [sent] = mail.outbox
    token = link_token(sent.body, "/password/reset/")
    assert f"token={token}" in sent.alternatives[0][0].replace("&amp;", "&")
    reset = APIClient().post(
        "/api/auth/password/reset/confirm", {"token": token, "password": "a brand new password"}, format="json"
    )
    assert reset.status_code == 200, reset.json()
    row.refresh_from_db()
    assert "token=" not in row.body_text  # sending did not write it back


def test_a_verification_link_is_not_stored_either():
    user = CustomerFactory(email_verified_at=None)
    account_mail.verify_email_send(user_id=user.pk, nonce="n")
    row = Outbox.objects.get(kind="verify_email")
    assert "token=" not in row.body_text + row.body_html
    outbox_send(outbox_id=row.pk)
    token = link_token(mail.outbox[-1].body, "/verify-email/")
    assert APIClient().post("/api/auth/verify-email", {"token": token}, format="json").status_code == 200


def test_sent_account_mails_are_purged_after_a_day_and_nothing_else_is(customer):
    now = timezone.now()

    def row(kind: str, *, sent_hours_ago: float | None, created_hours_ago: float) -> int:
        made = Outbox.objects.create(
            kind=kind,
            event_key=f"{kind}:{Outbox.objects.count()}",
            recipient=customer,
            to_address=customer.email,
            subject="s",
            body_text="b",
            status=OutboxStatus.SENT if sent_hours_ago is not None else OutboxStatus.FAILED,
            sent_at=None if sent_hours_ago is None else now - timedelta(hours=sent_hours_ago),
        )
        Outbox.objects.filter(pk=made.pk).update(created_at=now - timedelta(hours=created_hours_ago))
        return made.pk

    row("password_reset", sent_hours_ago=48, created_hours_ago=48)  # sent two days ago: goes
    row("verify_email", sent_hours_ago=25, created_hours_ago=25)  # goes
    row("verify_email", sent_hours_ago=None, created_hours_ago=30 * 24)  # never sent, link long dead: goes
    recent = row("password_reset", sent_hours_ago=2, created_hours_ago=2)  # stays a day
    failed = row("verify_email", sent_hours_ago=None, created_hours_ago=2)  # staff may still resend it
    booking_mail = row("booking_confirmed_customer", sent_hours_ago=48, created_hours_ago=48)  # not an account mail

    assert tasks.purge_account_mail() == 3  # the daily job's body

    assert set(Outbox.objects.values_list("pk", flat=True)) == {recent, failed, booking_mail}
