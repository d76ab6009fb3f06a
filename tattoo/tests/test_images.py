"""Attached images (tattoo/core/images.py, docs/images.md) against the real local S3 server, with a
real job worker for the variants (testing/jobs.py ``run_jobs``).

What is served is a re-encoded copy: upright, without EXIF/XMP/IPTC; WebP variants 320/640/1280
px wide, never enlarged, are made by a job; idea images are private (signed, short-lived URLs
for the booking's parties, nothing for anyone else, the bare object URL refused).
"""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.db import connection
from PIL import Image

from bookings.models import BookingStatus
from bookings.tests.factories import BookingFactory
from ideas.models import TattooIdea
from portfolio.models import PortfolioItem
from tattoo.core import images, tasks, uploads
from testing.clients import client_for
from testing.images import BLUE, RED, heic, image_bytes, metadata_markers, phone_jpeg
from testing.s3 import http, upload_via_presign


def decoded(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def near(pixel, colour, tolerance: int = 60) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def variant_jobs() -> list[tuple[str, dict]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, args FROM procrastinate_jobs WHERE task_name = %s", [images.VARIANTS_TASK])
        return cursor.fetchall()


def add_portfolio_item(client, body: bytes, *, filename="IMG_0001.jpg", content_type="image/jpeg"):
    up = upload_via_presign(client, folder="portfolio", body=body, filename=filename, content_type=content_type)
    response = client.post("/api/portfolio", {"imageUrl": up.public_url, "description": "koi"}, format="json")
    assert response.status_code == 201, response.content
    return up, response.json()


def test_a_phone_jpeg_with_gps_and_orientation_6_is_served_upright_without_metadata_with_webp_variants(
    s3_server, run_jobs, tattooist
):
    artist = client_for(tattooist.user)
    original = phone_jpeg(1600, 1000, orientation=6)  # stored landscape; the phone held it upright
    assert metadata_markers(original) == ["exif", "xmp", "iptc", "comment", "camera"]
    up, item = add_portfolio_item(artist, original)

    # What is served: re-encoded, upright, no GPS, no camera data, cached for ever (the key is new).
    assert (item["imageWidth"], item["imageHeight"]) == (1000, 1600)
    assert item["thumbnails"] == {}  # until the job has run
    served = http().get(item["imageUrl"], timeout=10)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert metadata_markers(served.content) == []
    picture = decoded(served.content)
    assert picture.size == (1000, 1600)
    assert not picture.getexif()
    assert picture.getexif().get_ifd(0x8825) == {}  # no GPS
    # Orientation 6 = turn 90° clockwise to view: the stored left half (red) is now the top.
    assert near(picture.getpixel((500, 200)), RED)
    assert near(picture.getpixel((500, 1400)), BLUE)
    # The original was never public and is gone once attached.
    assert http().get(up.public_url, timeout=10).status_code in (403, 404)
    assert uploads.head_object(up.key, private=True) is None

    # The variants job was written by the create's transaction; a real worker runs it.
    assert [status for status, _args in variant_jobs()] == ["todo"]
    run_jobs()
    assert [status for status, _args in variant_jobs()] == ["succeeded"]
    listed = http_get_json(f"/api/portfolio/{tattooist.pk}")["results"][0]
    assert set(listed["thumbnails"]) == {"320", "640"}  # 1280 would be an enlargement of 1000 px
    webp = http().get(listed["thumbnails"]["640"], timeout=10)
    assert webp.headers["Content-Type"] == "image/webp"
    assert webp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    small = decoded(webp.content)
    assert (small.format, small.size) == ("WEBP", (640, 1024))
    assert metadata_markers(webp.content) == []
    assert near(small.getpixel((320, 100)), RED)
    assert decoded(http().get(listed["thumbnails"]["320"], timeout=10).content).size == (320, 512)
    stored = PortfolioItem.objects.get()
    assert stored.image_variants == [320, 640]
    assert uploads.head_object(uploads.variant_key(stored.image_key, 1280)) is None

    # Removed with the item: the image and every variant (committed: on_commit runs).
    assert artist.delete(f"/api/portfolio/{stored.pk}").status_code == 204
    for key in (
        stored.image_key,
        uploads.variant_key(stored.image_key, 320),
        uploads.variant_key(stored.image_key, 640),
    ):
        assert uploads.head_object(key) is None, key


def http_get_json(path: str) -> dict:
    from rest_framework.test import APIClient

    response = APIClient().get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_source_narrower_than_the_smallest_variant_gets_no_enlarged_variant(s3_server, run_jobs, tattooist):
    _up, item = add_portfolio_item(
        client_for(tattooist.user), image_bytes(300, 200, "PNG"), filename="flash.png", content_type="image/png"
    )
    assert (item["imageWidth"], item["imageHeight"]) == (300, 200)
    run_jobs()
    stored = PortfolioItem.objects.get()
    assert stored.image_variants == []
    assert http_get_json(f"/api/portfolio/{tattooist.pk}")["results"][0]["thumbnails"] == {}
    for width in images.VARIANT_WIDTHS:
        assert uploads.head_object(uploads.variant_key(stored.image_key, width)) is None
    assert decoded(http().get(item["imageUrl"], timeout=10).content).size == (300, 200)


def test_a_heic_upload_becomes_a_served_jpeg_with_variants(s3_server, run_jobs, tattooist):
    original = heic(800, 600)
    assert original[4:12] == b"ftypheic"
    _up, item = add_portfolio_item(
        client_for(tattooist.user), original, filename="IMG_4242.HEIC", content_type="image/heic"
    )
    assert item["imageUrl"].endswith(".jpg")
    served = http().get(item["imageUrl"], timeout=10)
    assert served.headers["Content-Type"] == "image/jpeg"
    assert metadata_markers(served.content) == []
    assert (decoded(served.content).format, decoded(served.content).size) == ("JPEG", (800, 600))
    run_jobs()
    thumbnails = http_get_json(f"/api/portfolio/{tattooist.pk}")["results"][0]["thumbnails"]
    assert set(thumbnails) == {"320", "640"}
    assert decoded(http().get(thumbnails["640"], timeout=10).content).size == (640, 480)


# --- private images: ideas ----------------------------------------------------------------------


def test_an_idea_image_is_private_signed_for_its_parties_expiring_and_refused_bare(
    s3_server, run_jobs, customer, tattooist, other_customer, other_tattooist, settings
):
    booking = BookingFactory(customer=customer, tattooist=tattooist, status=BookingStatus.CONFIRMED)
    owner = client_for(customer)
    up = upload_via_presign(
        owner, folder="ideas", body=phone_jpeg(900, 700, orientation=1), filename="back.jpg", content_type="image/jpeg"
    )
    created = owner.post("/api/tattoo-ideas", {"bookingId": booking.pk, "imageUrl": up.public_url}, format="json")
    assert created.status_code == 201, created.content
    run_jobs()
    idea = TattooIdea.objects.get()
    assert idea.image_variants == [320, 640]
    # Stored in the private bucket only.
    assert uploads.head_object(idea.image_key, private=True) is not None
    assert uploads.head_object(idea.image_key) is None

    for party in (customer, tattooist.user):
        body = client_for(party).get(f"/api/tattoo-ideas/{booking.pk}").json()["results"][0]
        urls = [body["imageUrl"], *body["thumbnails"].values()]
        assert len(urls) == 3
        for url in urls:
            assert "X-Amz-Signature=" in url
            assert "X-Amz-Expires=900" in url
            got = http().get(url, timeout=10)
            assert got.status_code == 200, url
            assert metadata_markers(got.content) == []
    # The bare object URLs (what the row stores) are refused, as R2 refuses them.
    for key in (idea.image_key, uploads.variant_key(idea.image_key, 640)):
        assert http().get(s3_server.private_object_url(key), timeout=10).status_code == 403
        assert http().get(s3_server.object_url(key), timeout=10).status_code == 404
    assert http().get(idea.image_url, timeout=10).status_code == 403

    # Strangers get no URL at all.
    for stranger in (other_customer, other_tattooist.user):
        response = client_for(stranger).get(f"/api/tattoo-ideas/{booking.pk}")
        assert response.status_code == 403
        assert "http" not in response.content.decode()
    assert http_status(f"/api/tattoo-ideas/{booking.pk}") == 401

    # A signed URL expires (IMAGE_URL_EXPIRES_SECONDS).
    settings.IMAGE_URL_EXPIRES_SECONDS = 2
    short = owner.get(f"/api/tattoo-ideas/{booking.pk}").json()["results"][0]["thumbnails"]["320"]
    assert "X-Amz-Expires=2" in short
    assert http().get(short, timeout=10).status_code == 200
    time.sleep(2.5)
    expired = http().get(short, timeout=10)
    assert expired.status_code == 403
    assert "expired" in expired.text.lower()


def http_status(path: str) -> int:
    from rest_framework.test import APIClient

    return APIClient().get(path).status_code


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(s3_server, tattooist, settings):
    artist = client_for(tattooist.user)
    up = upload_via_presign(artist, folder="portfolio", body=image_bytes(400, 300), filename="big.png")
    settings.IMAGE_MAX_PIXELS = 100_000
    response = artist.post("/api/portfolio", {"imageUrl": up.public_url}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "image_too_large"
    assert "imageUrl" in response.json()["fields"]
    assert not PortfolioItem.objects.exists()
    assert uploads.head_object(up.attached_key) is None


@pytest.mark.django_db
def test_a_record_that_fails_after_the_attach_takes_its_copy_back(s3_server, tattooist):
    artist = client_for(tattooist.user)
    up = upload_via_presign(artist, folder="portfolio", body=image_bytes(40, 30), filename="a.png")
    seen = []

    def attach_then_fail():
        with images.attach_image(
            kind="portfolio", image_url=up.public_url, user=tattooist.user, in_use=lambda k: False
        ):
            seen.append(uploads.head_object(up.attached_key))
            raise RuntimeError("the record's transaction failed")

    with pytest.raises(RuntimeError, match="transaction failed"):
        attach_then_fail()
    assert seen[0] is not None  # the copy existed inside the block
    assert uploads.head_object(up.attached_key) is None
    assert uploads.head_object(up.key, private=True) is not None  # the upload may be attached again


# --- the sweep: images from before the pipeline, lost variants ------------------------------------


def test_the_images_sweep_re_encodes_old_images_and_moves_idea_images_to_the_private_bucket(
    s3_server, run_jobs, customer, tattooist
):
    """Records attached before this pipeline point at the phone's bytes, ideas in the public bucket:
    the periodic sweep enqueues a job per record, which re-encodes each into its kind's bucket at a
    new key, deletes the old object and makes the variants."""
    booking = BookingFactory(customer=customer, tattooist=tattooist, status=BookingStatus.CONFIRMED)
    old_idea_key = uploads.attached_key(
        uploads.make_key(folder="ideas", user_id=customer.pk, content_type="image/jpeg")
    )
    old_item_key = uploads.attached_key(
        uploads.make_key(folder="portfolio", user_id=tattooist.user_id, content_type="image/jpeg")
    )
    for key in (old_idea_key, old_item_key):
        uploads.put_object(key=key, body=phone_jpeg(700, 500, orientation=6), content_type="image/jpeg")
    idea = TattooIdea.objects.create(
        booking=booking, created_by=customer, image_key=old_idea_key, image_url=uploads.public_url(old_idea_key)
    )
    item = PortfolioItem.objects.create(
        tattooist=tattooist, image_key=old_item_key, image_url=uploads.public_url(old_item_key)
    )
    assert http().get(uploads.public_url(old_idea_key), timeout=10).status_code == 200  # public, today

    report = tasks.sweep_images()
    assert report["found"] == 2
    assert report["enqueued"] == 2
    run_jobs()

    idea.refresh_from_db()
    item.refresh_from_db()
    for record, private in ((idea, True), (item, False)):
        assert record.image_key not in (old_idea_key, old_item_key)
        assert (record.image_width, record.image_height, record.image_variants) == (500, 700, [320])
        body = uploads.read_object(record.image_key, private=private, max_bytes=10**6)
        assert metadata_markers(body) == []
        assert near(decoded(body).getpixel((250, 100)), RED)  # turned upright
        assert uploads.head_object(uploads.variant_key(record.image_key, 320), private=private) is not None
    assert idea.image_url == uploads.private_url(idea.image_key)
    assert uploads.head_object(idea.image_key) is None  # not in the public bucket
    for old in (old_idea_key, old_item_key):  # the phone's bytes are gone from both buckets
        assert http().get(uploads.public_url(old), timeout=10).status_code == 404
        assert uploads.head_object(old, private=True) is None
    assert tasks.sweep_images()["found"] == 0  # nothing left to do

    # One that cannot be re-encoded (not an image) is given up once, not retried every sweep.
    broken_key = uploads.attached_key(uploads.make_key(folder="ideas", user_id=customer.pk, content_type="image/png"))
    uploads.put_object(key=broken_key, body=b"\x89PNG\r\n\x1a\n not really", content_type="image/png")
    broken = TattooIdea.objects.create(
        booking=booking, created_by=customer, image_key=broken_key, image_url=uploads.public_url(broken_key)
    )
    assert tasks.sweep_images()["found"] == 1
    run_jobs()
    broken.refresh_from_db()
    assert (broken.image_key, broken.image_width, broken.image_height) == (broken_key, 0, 0)
    assert tasks.sweep_images()["found"] == 0


def test_the_sweep_command_re_makes_variants_missing_from_the_bucket(s3_server, run_jobs, tattooist):
    _up, _item = add_portfolio_item(client_for(tattooist.user), image_bytes(700, 400, "JPEG"), filename="a.jpg")
    run_jobs()
    stored = PortfolioItem.objects.get()
    lost = uploads.variant_key(stored.image_key, 640)
    uploads.delete_object(lost)

    out = io.StringIO()
    call_command("sweep_images", stdout=out)  # the database says nothing is missing
    assert out.getvalue().startswith("0 image(s) needed work")
    assert uploads.head_object(lost) is None

    out = io.StringIO()
    call_command("sweep_images", "--check-bucket", stdout=out)
    assert "1 image(s) needed work; 2 variant(s) made" in out.getvalue()
    assert uploads.head_object(lost).content_type == "image/webp"


# --- pages: one <img> markup everywhere -------------------------------------------------------------


@pytest.mark.django_db
def test_every_image_on_the_home_artist_and_dashboard_pages_has_srcset_sizes_a_size_and_lazy_loading(client, tattooist):
    import re

    from django.urls import reverse

    from portfolio.tests.factories import PortfolioItemFactory

    PortfolioItemFactory(tattooist=tattooist, image_width=300, image_height=450, image_variants=[])
    wide = PortfolioItemFactory(  # the newest: the cover
        tattooist=tattooist, description="koi", image_width=4032, image_height=3024, image_variants=[320, 640, 1280]
    )

    client.force_login(tattooist.user)
    pages = {
        "home": client.get(reverse("home")).content.decode(),
        "artist": client.get(reverse("artist-detail", args=[tattooist.pk])).content.decode(),
        "dashboard": client.get(reverse("dashboard")).content.decode(),
    }
    for name, html in pages.items():
        tags = re.findall(r"<img [^>]*>", html)
        assert tags, name
        for tag in tags:
            assert 'loading="lazy"' in tag, (name, tag)
            assert re.search(r' width="\d+" height="\d+"', tag), (name, tag)
        wide_tags = [t for t in tags if 'width="4032" height="3024"' in t]
        assert wide_tags, name
        for tag in wide_tags:
            srcset = re.search(r'srcset="([^"]*)"', tag).group(1)
            assert [c.rsplit(" ", 1)[1] for c in srcset.split(", ")] == ["320w", "640w", "1280w", "4032w"]
            assert uploads.variant_key(wide.image_key, 320) in srcset
            assert f"{wide.image_url} 4032w" in srcset
            assert re.search(r' sizes="[^"]+"', tag)
            assert f'src="{uploads.public_url(uploads.variant_key(wide.image_key, 640))}"' in tag
    # the home card draws the newest item (the cover) at its own size
    (card,) = re.findall(r'<img class="card__image"[^>]*>', pages["home"])
    assert 'width="4032" height="3024"' in card
    assert 'alt="koi"' in card
    # a 300-px image has no variant: its own URL, no srcset
    small = [t for t in re.findall(r"<img [^>]*>", pages["artist"]) if 'width="300"' in t]
    assert small
    assert "srcset" not in small[0]
