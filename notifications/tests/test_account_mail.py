"""Staff approving or unapproving an artist tells the artist, once per decision that changes
something: accounts writes the `notifications.artist_approval` job in its transaction (it names the
job, never imports this app), the job writes the outbox row, its send job mails it."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.services import tattooist_set_approval
from accounts.tests.factories import AdminFactory, TattooistFactory
from notifications.models import Outbox, OutboxStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_approval_and_an_unapproval_each_mail_the_artist_once(run_jobs, settings):
    settings.SITE_URL = "https://inkbook.example.com"
    staff = AdminFactory()
    artist = TattooistFactory(approved=False)

    tattooist_set_approval(tattooist_id=artist.pk, approved=True, actor=staff, note="Lovely linework.")
    tattooist_set_approval(tattooist_id=artist.pk, approved=True, actor=staff, note="again")  # no change
    run_jobs()
    [approved] = Outbox.objects.filter(kind="artist_approved")
    assert (approved.to_address, approved.status) == (artist.user.email, OutboxStatus.SENT)
    [sent] = mail.outbox
    assert sent.to == [artist.user.email]
    assert sent.subject == "Your Inkbook artist profile is approved"
    assert "Lovely linework." in sent.body
    assert "https://inkbook.example.com/dashboard/" in sent.body
    assert "List-Unsubscribe" not in sent.message().as_string()  # transactional: cannot be turned off

    tattooist_set_approval(tattooist_id=artist.pk, approved=False, actor=staff, note="Portfolio removed.")
    run_jobs()
    assert Outbox.objects.filter(kind="artist_not_approved", to_address=artist.user.email).count() == 1
    assert len(mail.outbox) == 2
    assert "Portfolio removed." in mail.outbox[1].body
