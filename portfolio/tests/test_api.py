"""Portfolio API against the real local S3 server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.tests.factories import TattooistFactory
from portfolio.models import PortfolioItem
from tattoo.core import uploads
from tattoo.core.models import PendingObjectDeletion
from testing.clients import client_for
from testing.s3 import free_port, http, png_bytes, upload_via_presign

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {
    "id",
    "tattooistId",
    "imageUrl",
    "imageWidth",
    "imageHeight",
    "thumbnails",
    "description",
    "tags",
    "createdAt",
    "updatedAt",
}


def pixels(data: bytes) -> bytes:
    import io

    from PIL import Image

    return Image.open(io.BytesIO(data)).convert("RGB").tobytes()


def create(client, image_url, **extra):
    return client.post("/api/portfolio", {"imageUrl": image_url, **extra}, format="json")


def make_item(tattooist, **fields) -> PortfolioItem:
    key = uploads.make_key(folder="portfolio", user_id=tattooist.user_id, content_type="image/png")
    return PortfolioItem.objects.create(tattooist=tattooist, image_url=uploads.public_url(key), image_key=key, **fields)


@pytest.fixture
def artist_client(tattooist):
    return client_for(tattooist.user)


@pytest.fixture
def uploaded(s3_server, artist_client):
    return upload_via_presign(artist_client, folder="portfolio", filename="sleeve.png")


# --- create ---------------------------------------------------------------------------------


def test_an_artist_adds_a_freshly_uploaded_image(uploaded, artist_client, tattooist):
    response = create(
        artist_client, uploaded.public_url, description="Healed sleeve", tags=[" Blackwork", "blackwork ", "Fine  Line"]
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == ITEM_FIELDS
    assert body["tattooistId"] == tattooist.pk
    assert body["imageUrl"] == uploaded.attached_url  # a re-encoded copy (tattoo/core/images.attach_image)
    assert (body["imageWidth"], body["imageHeight"]) == (8, 8)
    assert body["thumbnails"] == {}  # an 8-px image gets no variant (never enlarged)
    assert body["description"] == "Healed sleeve"
    assert body["tags"] == ["blackwork", "fine line"]
    item = PortfolioItem.objects.get(pk=body["id"])
    assert item.image_key == uploaded.attached_key
    assert uploads.head_object(uploaded.key, private=True) is None  # the upload itself is gone once attached
    assert item.style_tags == ["blackwork", "fine line"]
    served = http().get(body["imageUrl"], timeout=10)
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert pixels(served.content) == pixels(uploaded.body)


def test_create_refuses_an_image_under_another_artists_prefix(s3_server, other_tattooist, artist_client):
    foreign = upload_via_presign(client_for(other_tattooist.user), folder="portfolio")
    response = create(artist_client, foreign.public_url)
    assert response.status_code == 400
    assert response.json()["code"] == "image_not_yours"
    assert "imageUrl" in response.json()["fields"]
    assert not PortfolioItem.objects.exists()


def test_create_refuses_an_own_image_from_the_ideas_folder(s3_server, tattooist, artist_client):
    idea = upload_via_presign(artist_client, folder="ideas")
    response = create(artist_client, idea.public_url)
    assert response.status_code == 400
    assert response.json()["code"] == "image_not_yours"


@pytest.mark.parametrize(
    "url",
    [
        "https://images.example.com/rose.png",
        "javascript:alert(1)",
        "",
        "not a url",
    ],
)
def test_create_refuses_an_external_url(s3_server, artist_client, url):
    response = create(artist_client, url)
    assert response.status_code == 400
    assert "imageUrl" in response.json()["fields"]


def test_create_refuses_a_lookalike_of_our_url(s3_server, uploaded, artist_client):
    for url in [uploaded.public_url + "?v=2", uploaded.public_url.replace("/portfolio/", "/portfolio/../portfolio/")]:
        response = create(artist_client, url)
        assert response.status_code == 400, url


def test_create_refuses_a_missing_object(s3_server, tattooist, artist_client):
    # A key of the right shape under the caller's own prefix that was never uploaded (or a
    # presigned URL that was never used).
    response = artist_client.post(
        "/api/upload/presign",
        {"filename": "a.png", "contentType": "image/png", "folder": "portfolio", "size": 10},
        format="json",
    )
    never_uploaded = response.json()["publicUrl"]
    response = create(artist_client, never_uploaded)
    assert response.status_code == 400
    assert response.json()["code"] == "image_missing"
    assert not PortfolioItem.objects.exists()


def test_create_refuses_an_object_of_a_disallowed_type_or_size(s3_server, tattooist, artist_client, settings):
    # Written by the server itself (a stand-in for a bucket tampered with out of band): the HEAD
    # check is what refuses it, not the presign endpoint.
    user = tattooist.user
    meta = {"uploaded-by": str(user.pk)}
    key = uploads.make_key(folder="portfolio", user_id=user.pk, content_type="image/png")
    uploads.put_object(key=key, body=b"<html>", content_type="text/html", metadata=meta, private=True)
    response = create(artist_client, uploads.private_url(key))
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_type"

    key = uploads.make_key(folder="portfolio", user_id=user.pk, content_type="image/png")
    uploads.put_object(key=key, body=png_bytes(64, 64), content_type="image/png", metadata=meta, private=True)
    settings.UPLOAD_MAX_BYTES = 50
    response = create(artist_client, uploads.private_url(key))
    assert response.status_code == 400
    assert response.json()["code"] == "bad_size"
    assert not PortfolioItem.objects.exists()


def _image(fmt: str) -> bytes:
    import io

    from PIL import Image

    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()  # pillow-heif's wheel carries an HEVC encoder too
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("content_type", "filename", "make_body"),
    [
        ("image/jpeg", "a.jpg", lambda: _image("JPEG")),
        ("image/png", "a.png", lambda: _image("PNG")),
        ("image/webp", "a.webp", lambda: _image("WEBP")),
        ("image/heic", "a.heic", lambda: _image("HEIF")),
    ],
)
def test_each_allowed_image_type_can_be_added(s3_server, artist_client, content_type, filename, make_body):
    up = upload_via_presign(
        artist_client, folder="portfolio", body=make_body(), filename=filename, content_type=content_type
    )
    response = create(artist_client, up.public_url)
    assert response.status_code == 201, response.content
    served = http().get(response.json()["imageUrl"], timeout=10)
    assert served.headers["Content-Type"] == ("image/jpeg" if content_type == "image/heic" else content_type)


@pytest.mark.parametrize(
    ("content_type", "filename", "body"),
    [
        ("image/png", "a.png", b"<html><script>alert(1)</script></html>"),
        ("image/jpeg", "a.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        ("image/heic", "a.heic", b"\x00\x00\x00\x18ftypisom" + b"\x00" * 40),
        ("image/webp", "a.webp", b"x"),
    ],
)
def test_create_refuses_a_file_whose_bytes_are_not_its_declared_image_type(
    s3_server, artist_client, content_type, filename, body
):
    up = upload_via_presign(artist_client, folder="portfolio", body=body, filename=filename, content_type=content_type)
    response = create(artist_client, up.public_url)
    assert response.status_code == 400
    assert response.json()["code"] == "not_an_image"
    assert not PortfolioItem.objects.exists()


def test_the_same_image_cannot_back_two_items(uploaded, artist_client):
    assert create(artist_client, uploaded.public_url).status_code == 201
    response = create(artist_client, uploaded.public_url)
    assert response.status_code == 409
    assert response.json()["code"] == "image_in_use"
    assert PortfolioItem.objects.count() == 1


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ([f"tag{i}" for i in range(11)], "At most 10"),
        (["x" * 33], "at most 32"),
        (["<script>"], "letters"),
    ],
)
def test_create_refuses_bad_tags(uploaded, artist_client, tags, message):
    response = create(artist_client, uploaded.public_url, tags=tags)
    assert response.status_code == 400
    assert message in response.json()["fields"]["tags"][0]


def test_ten_tags_after_deduplication_are_fine(uploaded, artist_client):
    tags = [f"Tag{i}" for i in range(10)] + [f"tag{i} " for i in range(10)] + ["", "  "]
    response = create(artist_client, uploaded.public_url, tags=tags)
    assert response.status_code == 201
    assert response.json()["tags"] == [f"tag{i}" for i in range(10)]


def test_customers_and_anonymous_cannot_create(s3_server, customer, api_client, uploaded):
    assert create(client_for(customer), uploaded.public_url).status_code == 403
    assert create(api_client, uploaded.public_url).status_code == 401


def test_an_unapproved_artist_can_build_a_portfolio_before_approval(s3_server):
    pending = TattooistFactory(approved=False, approved_at=None)
    client = client_for(pending.user)
    up = upload_via_presign(client, folder="portfolio")
    assert create(client, up.public_url).status_code == 201


# --- public list ----------------------------------------------------------------------------


def test_the_public_list_is_newest_first_paginated_and_shaped(api_client, tattooist, other_tattooist):
    old = make_item(tattooist, description="old")
    new = make_item(tattooist, description="new", style_tags=["dotwork"])
    mid = make_item(tattooist, description="mid")
    make_item(other_tattooist, description="someone else's")
    base = timezone.now()
    PortfolioItem.objects.filter(pk=old.pk).update(created_at=base - timedelta(days=3))
    PortfolioItem.objects.filter(pk=mid.pk).update(created_at=base - timedelta(days=2))
    PortfolioItem.objects.filter(pk=new.pk).update(created_at=base - timedelta(days=1))

    response = api_client.get(f"/api/portfolio/{tattooist.pk}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert [r["description"] for r in body["results"]] == ["new", "mid", "old"]
    first = body["results"][0]
    assert set(first) == ITEM_FIELDS
    assert first == {
        "id": new.pk,
        "tattooistId": tattooist.pk,
        "imageUrl": new.image_url,
        "imageWidth": None,
        "imageHeight": None,
        "thumbnails": {},
        "description": "new",
        "tags": ["dotwork"],
        "createdAt": first["createdAt"],
        "updatedAt": first["updatedAt"],
    }
    assert first["createdAt"].endswith("Z") or "+" in first["createdAt"]

    page = api_client.get(f"/api/portfolio/{tattooist.pk}?pageSize=2&page=2").json()
    assert page["count"] == 3
    assert [r["description"] for r in page["results"]] == ["old"]
    assert page["previous"] is not None
    assert page["next"] is None


def test_items_created_in_the_same_instant_are_ordered_by_id(api_client, tattooist):
    items = [make_item(tattooist, description=str(i)) for i in range(3)]
    PortfolioItem.objects.update(created_at=timezone.now())
    results = api_client.get(f"/api/portfolio/{tattooist.pk}").json()["results"]
    assert [r["id"] for r in results] == [i.pk for i in reversed(items)]


def test_an_unapproved_artists_portfolio_is_hidden(api_client):
    pending = TattooistFactory(approved=False, approved_at=None)
    make_item(pending)
    response = api_client.get(f"/api/portfolio/{pending.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_artist_is_404(api_client):
    assert api_client.get("/api/portfolio/999999").status_code == 404


# --- edit -----------------------------------------------------------------------------------


def test_the_owner_edits_description_and_tags(artist_client, tattooist):
    item = make_item(tattooist, description="before", style_tags=["old"])
    before = item.updated_at
    response = artist_client.patch(
        f"/api/portfolio/{item.pk}", {"description": "after", "tags": ["Realism", "REALISM"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "after"
    assert response.json()["tags"] == ["realism"]
    item.refresh_from_db()
    assert (item.description, item.style_tags) == ("after", ["realism"])
    assert item.updated_at > before


def test_a_partial_edit_keeps_the_other_field(artist_client, tattooist):
    item = make_item(tattooist, description="keep me", style_tags=["a"])
    response = artist_client.patch(f"/api/portfolio/{item.pk}", {"tags": []}, format="json")
    assert response.status_code == 200
    item.refresh_from_db()
    assert (item.description, item.style_tags) == ("keep me", [])


def test_edit_refuses_bad_input(artist_client, tattooist):
    item = make_item(tattooist)
    response = artist_client.patch(f"/api/portfolio/{item.pk}", {"description": "x" * 2001}, format="json")
    assert response.status_code == 400
    assert "description" in response.json()["fields"]
    response = artist_client.patch(f"/api/portfolio/{item.pk}", {"tags": "not-a-list"}, format="json")
    assert response.status_code == 400
    assert "tags" in response.json()["fields"]


def test_the_image_url_cannot_be_edited(artist_client, tattooist):
    item = make_item(tattooist)
    response = artist_client.patch(
        f"/api/portfolio/{item.pk}", {"imageUrl": "https://evil.example/x.png"}, format="json"
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.image_url.startswith(uploads.public_url(""))


def test_another_artist_a_customer_and_an_admin_cannot_edit(tattooist, other_tattooist, customer, admin_user):
    item = make_item(tattooist, description="mine")
    for user in (other_tattooist.user, customer, admin_user):
        response = client_for(user).patch(f"/api/portfolio/{item.pk}", {"description": "hijack"}, format="json")
        assert response.status_code == 403, user.role
    item.refresh_from_db()
    assert item.description == "mine"


def test_editing_an_unknown_item_is_404(artist_client):
    assert artist_client.patch("/api/portfolio/999999", {"description": "x"}, format="json").status_code == 404


# --- delete ---------------------------------------------------------------------------------


def test_the_owner_deletes_an_item_and_its_object(uploaded, artist_client, django_capture_on_commit_callbacks):
    item_id = create(artist_client, uploaded.public_url).json()["id"]
    assert http().get(uploaded.attached_url, timeout=10).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = artist_client.delete(f"/api/portfolio/{item_id}")
    assert response.status_code == 204
    assert not PortfolioItem.objects.filter(pk=item_id).exists()
    assert uploads.head_object(uploaded.attached_key) is None
    assert http().get(uploaded.attached_url, timeout=10).status_code == 404
    assert not PendingObjectDeletion.objects.exists()


def test_an_admin_deletes_an_item_and_its_object(
    uploaded, artist_client, admin_user, django_capture_on_commit_callbacks
):
    item_id = create(artist_client, uploaded.public_url).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).delete(f"/api/portfolio/{item_id}")
    assert response.status_code == 204
    assert uploads.head_object(uploaded.attached_key) is None


def test_another_artist_and_a_customer_cannot_delete(
    uploaded, artist_client, other_tattooist, customer, django_capture_on_commit_callbacks
):
    item_id = create(artist_client, uploaded.public_url).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(other_tattooist.user).delete(f"/api/portfolio/{item_id}").status_code == 403
        assert client_for(customer).delete(f"/api/portfolio/{item_id}").status_code == 403
    assert PortfolioItem.objects.filter(pk=item_id).exists()
    assert uploads.head_object(uploaded.attached_key) is not None


def test_deleting_an_unknown_item_is_404_and_anonymous_is_401(artist_client, api_client):
    assert artist_client.delete("/api/portfolio/999999").status_code == 404
    assert api_client.delete("/api/portfolio/1").status_code == 401


def test_a_failed_object_delete_is_recorded_and_retried_later(
    uploaded, artist_client, settings, django_capture_on_commit_callbacks
):
    item_id = create(artist_client, uploaded.public_url).json()["id"]
    real_endpoint = settings.S3_ENDPOINT_URL
    # The bucket is unreachable (nothing listens there): the record's delete must still succeed.
    settings.S3_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    with django_capture_on_commit_callbacks(execute=True):
        response = artist_client.delete(f"/api/portfolio/{item_id}")
    assert response.status_code == 204
    assert not PortfolioItem.objects.filter(pk=item_id).exists()
    # the image and each variant it may have (tattoo/core/images.image_delete_later)
    variants = {uploads.variant_key(uploaded.attached_key, w) for w in (320, 640, 1280)}
    pending = PendingObjectDeletion.objects.all()
    assert {p.key for p in pending} == {uploaded.attached_key, *variants}
    assert {p.attempts for p in pending} == {1}
    assert all("EndpointConnectionError" in p.last_error for p in pending)

    # Still down: the retry keeps them queued and says so.
    with pytest.raises(CommandError, match="4 object delete"):
        call_command("retry_object_deletes")
    assert {p.attempts for p in PendingObjectDeletion.objects.all()} == {2}

    settings.S3_ENDPOINT_URL = real_endpoint
    assert uploads.head_object(uploaded.attached_key) is not None
    call_command("retry_object_deletes")
    assert not PendingObjectDeletion.objects.exists()
    assert uploads.head_object(uploaded.attached_key) is None


def test_a_rolled_back_delete_leaves_the_object_alone(
    uploaded, artist_client, tattooist, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from portfolio.services import portfolio_item_delete

    item = PortfolioItem.objects.get(pk=create(artist_client, uploaded.public_url).json()["id"])

    def delete_then_fail():
        with transaction.atomic():
            portfolio_item_delete(item=item, actor=tattooist.user)
            raise RuntimeError("caller failed after the delete")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        delete_then_fail()
    assert callbacks == []
    assert PortfolioItem.objects.filter(pk=item.pk).exists()
    assert not PendingObjectDeletion.objects.exists()
    assert uploads.head_object(uploaded.attached_key) is not None


def replayed_body(original: bytes) -> bytes:
    """Other bytes the presigned PUT still accepts: same size and type, one pixel byte changed."""
    changed = bytearray(original)
    changed[-20] ^= 0xFF
    return bytes(changed)


def test_a_presigned_put_replayed_after_attach_does_not_change_what_is_served(uploaded, artist_client):
    """docs/security.md: the item serves a copy the server made and checked, at a key no URL writes."""
    response = create(artist_client, uploaded.public_url)
    assert response.status_code == 201, response.content
    served = response.json()["imageUrl"]
    first = http().get(served, timeout=10).content
    assert pixels(first) == pixels(uploaded.body)

    replay = http().put(
        uploaded.presign["uploadUrl"],
        data=replayed_body(uploaded.body),
        headers=uploaded.presign["headers"],
        timeout=30,
    )
    assert replay.status_code == 200, replay.text  # the URL still works until it expires...
    assert http().get(served, timeout=10).content == first  # ...but not on what is served
    item = PortfolioItem.objects.get()
    assert item.image_key != uploaded.key
    assert uploads.public_url(item.image_key) == served
    assert uploads.head_object(item.image_key).size == len(first)
