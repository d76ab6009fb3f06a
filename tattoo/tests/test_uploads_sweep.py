"""Uploads never attached: refused past the attach window (tattoo/core/uploads/reads.py
``verify_upload``), then swept (tattoo/core/uploads/sweep.py), against the real local S3 server."""

from __future__ import annotations

import time

import pytest

from tattoo.core import uploads
from testing.clients import client_for
from testing.s3 import upload_via_presign

pytestmark = pytest.mark.django_db


def test_an_upload_older_than_the_attach_window_is_refused(s3_server, tattooist, settings):
    from portfolio.models import PortfolioItem

    artist = client_for(tattooist.user)
    up = upload_via_presign(artist, folder="portfolio")
    settings.UPLOAD_ATTACH_WITHIN_HOURS = 0  # every upload is now past the window
    response = artist.post("/api/portfolio", {"imageUrl": up.public_url, "tags": ["koi"]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "upload_expired"
    assert "imageUrl" in response.json()["fields"]
    assert not PortfolioItem.objects.exists()


def test_the_sweep_removes_only_old_uploads_nothing_points_at(s3_server, tattooist, settings):
    from datetime import timedelta

    from tattoo.core.models import PendingObjectDeletion

    artist = client_for(tattooist.user)
    attached = upload_via_presign(artist, folder="portfolio")
    assert artist.post("/api/portfolio", {"imageUrl": attached.public_url}, format="json").status_code == 201
    never = upload_via_presign(artist, folder="portfolio")
    never_idea = upload_via_presign(artist, folder="ideas")
    queued = upload_via_presign(artist, folder="ideas")
    PendingObjectDeletion.objects.create(key=queued.key)
    foreign = "portfolio/not-made-by-inkbook.txt"
    uploads.put_object(key=foreign, body=b"x", content_type="text/plain", private=True)
    # an image (and a variant) an attach or a job left behind, that no record names
    orphan = uploads.attached_key(
        uploads.make_key(folder="portfolio", user_id=tattooist.user_id, content_type="image/png")
    )
    for key in (orphan, uploads.variant_key(orphan, 320), uploads.variant_key(attached.attached_key, 320)):
        uploads.put_object(key=key, body=b"x", content_type="image/webp")

    fresh = uploads.sweep_unattached(older_than=timedelta(hours=24))
    assert fresh.recent >= 7
    assert fresh.foreign >= 1
    for key in (never.key, never_idea.key, queued.key):
        assert uploads.head_object(key, private=True) is not None  # all younger than a day
    assert uploads.head_object(attached.attached_key) is not None

    settings.UPLOAD_ATTACH_WITHIN_HOURS = 0
    with pytest.raises(ValueError, match="UPLOAD_ATTACH_WITHIN_HOURS"):
        uploads.sweep_unattached(older_than=timedelta(0))
    time.sleep(1.1)  # the grace period below is a second; let the uploads pass it
    dry = uploads.sweep_unattached(older_than=timedelta(seconds=1), dry_run=True)
    assert dry.deleted >= 4
    assert dry.attached >= 3
    assert uploads.head_object(never.key, private=True) is not None

    swept = uploads.sweep_unattached(older_than=timedelta(seconds=1))
    assert swept.deleted >= 4
    assert uploads.head_object(never.key, private=True) is None
    assert uploads.head_object(never_idea.key, private=True) is None
    assert uploads.head_object(orphan) is None
    assert uploads.head_object(uploads.variant_key(orphan, 320)) is None
    assert uploads.head_object(attached.attached_key) is not None
    assert uploads.head_object(uploads.variant_key(attached.attached_key, 320)) is not None  # its image is held
    assert uploads.head_object(queued.key, private=True) is not None  # the deletion queue owns it
    assert uploads.head_object(foreign, private=True) is not None


def test_the_sweep_command_refuses_a_grace_period_inside_the_attach_window(s3_server, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("sweep_uploads", "--dry-run", stdout=out)
    assert out.getvalue().startswith("would delete ")
    settings.UPLOAD_ATTACH_WITHIN_HOURS = 24
    with pytest.raises(CommandError, match="must exceed"):
        call_command("sweep_uploads", stdout=StringIO())
