"""`manage.py seed` puts its portfolio images in the bucket when it can, and works without it."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import call_command

from portfolio.models import PortfolioItem
from tattoo.core import uploads
from tattoo.site.management.commands.seed import SEED_IMAGE_NAME
from testing.s3 import free_port, http

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_seed(settings):
    settings.DEBUG = True  # the demo seed refuses outside DEBUG (accounts/tests/test_seed_guard.py)


def rose() -> PortfolioItem:
    return PortfolioItem.objects.get(image_key__contains=SEED_IMAGE_NAME)


def test_seed_uploads_its_portfolio_image(s3_server):
    call_command("seed", stdout=io.StringIO())
    item = rose()
    assert item.image_key == uploads.key_from_public_url(item.image_url)
    assert item.image_key.startswith(f"portfolio/{item.tattooist.user_id}/")
    r = http().get(item.image_url, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "image/png"
    assert r.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert r.headers["x-amz-meta-uploaded-by"] == str(item.tattooist.user_id)


def test_seed_works_without_the_storage_server_and_uploads_on_a_later_run(s3_server, settings, caplog):
    real_endpoint = settings.S3_ENDPOINT_URL
    settings.S3_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    with caplog.at_level(logging.WARNING, logger="inkbook.seed"):
        call_command("seed", stdout=io.StringIO())
    assert "not reachable" in caplog.text
    item = rose()
    items = PortfolioItem.objects.count()

    settings.S3_ENDPOINT_URL = real_endpoint
    assert uploads.head_object(item.image_key) is None
    call_command("seed", stdout=io.StringIO())
    assert PortfolioItem.objects.count() == items
    assert uploads.head_object(item.image_key).content_type == "image/png"
    assert all(
        uploads.head_object(key) is not None for key in PortfolioItem.objects.values_list("image_key", flat=True)
    )


def test_the_demo_portfolios_are_pictures_that_differ(s3_server):
    call_command("seed", stdout=io.StringIO())
    keys = list(PortfolioItem.objects.values_list("image_key", flat=True))
    assert len(keys) > 30
    bodies = [http().get(uploads.public_url(key), timeout=10).content for key in keys]
    assert all(body.startswith(b"\x89PNG\r\n\x1a\n") for body in bodies)
    assert len(set(bodies)) == len(bodies)  # no two items show the same picture
