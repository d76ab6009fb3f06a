"""Presigned uploads against the real local S3 server (scripts/s3-dev-server.js) over HTTP."""

from __future__ import annotations

import io
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tattoo.core import uploads
from testing.clients import client_for
from testing.s3 import http, png_bytes, upload_via_presign

pytestmark = pytest.mark.django_db

KEY_RE = re.compile(r"^(portfolio|ideas)/[0-9]+/[0-9a-f]{32}\.(jpg|png|webp|heic)$")


def presign(client, **overrides):
    body = {"filename": "rose.png", "contentType": "image/png", "folder": "ideas", "size": 100, **overrides}
    return client.post("/api/upload/presign", {k: v for k, v in body.items() if v is not None}, format="json")


def test_a_presigned_put_uploads_a_file_to_the_private_bucket_with_type_and_metadata(s3_server, tattooist):
    user = tattooist.user
    body = png_bytes(16, 16)
    up = upload_via_presign(client_for(user), folder="portfolio", body=body, filename="My Rose.PNG")

    assert set(up.presign) == {"uploadUrl", "publicUrl", "key", "expiresAt", "headers"}
    assert up.key.startswith(f"portfolio/{user.pk}/")
    assert KEY_RE.fullmatch(up.key)
    assert up.public_url == s3_server.private_object_url(up.key)  # names the upload; not readable
    assert up.presign["headers"] == {
        "Content-Type": "image/png",
        "x-amz-meta-uploaded-by": str(user.pk),
        "x-amz-meta-original-filename": "My_Rose.PNG",
    }
    signed = parse_qs(urlsplit(up.presign["uploadUrl"]).query)["X-Amz-SignedHeaders"][0].split(";")
    assert {"content-length", "content-type", "x-amz-meta-uploaded-by", "x-amz-meta-original-filename"} <= set(signed)

    # The phone's original bytes are never public: an unsigned GET is refused, as R2 refuses it
    # for a bucket without public access; the server reads it with its key.
    assert http().get(up.public_url, timeout=10).status_code == 403
    assert http().get(s3_server.object_url(up.key), timeout=10).status_code == 404  # not in the public one
    assert uploads.read_object(up.key, private=True, max_bytes=1000) == body

    stored = uploads.head_object(up.key, private=True)
    assert stored == uploads.StoredObject(
        key=up.key,
        size=len(body),
        content_type="image/png",
        metadata={"uploaded-by": str(user.pk), "original-filename": "My_Rose.PNG"},
        last_modified=stored.last_modified,
    )
    from django.utils import timezone

    assert abs((timezone.now() - stored.last_modified).total_seconds()) < 300


def test_expires_at_follows_the_setting(s3_server, customer, settings):
    settings.UPLOAD_URL_EXPIRES_SECONDS = 120
    response = presign(client_for(customer))
    assert response.status_code == 200
    query = parse_qs(urlsplit(response.json()["uploadUrl"]).query)
    assert query["X-Amz-Expires"] == ["120"]
    from datetime import datetime

    from django.utils import timezone

    expires_at = datetime.fromisoformat(response.json()["expiresAt"])
    assert 100 < (expires_at - timezone.now()).total_seconds() <= 120


def _signed(customer, body: bytes, **overrides):
    response = presign(client_for(customer), size=len(body), **overrides)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_server_refuses_a_tampered_signature(s3_server, customer):
    body = png_bytes()
    signed = _signed(customer, body)
    url = signed["uploadUrl"]
    sig = parse_qs(urlsplit(url).query)["X-Amz-Signature"][0]
    flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    r = http().put(url.replace(sig, flipped), data=body, headers=signed["headers"], timeout=10)
    assert r.status_code == 403
    assert "SignatureDoesNotMatch" in r.text
    assert uploads.head_object(signed["key"], private=True) is None


def test_the_server_refuses_the_signature_for_another_key(s3_server, customer):
    body = png_bytes()
    signed = _signed(customer, body)
    other_key = signed["key"].rsplit("/", 1)[0] + "/" + "0" * 32 + ".png"
    r = http().put(signed["uploadUrl"].replace(signed["key"], other_key), data=body, headers=signed["headers"])
    assert r.status_code == 403
    assert uploads.head_object(other_key, private=True) is None


def test_the_server_refuses_an_expired_url(s3_server, customer, settings):
    settings.UPLOAD_URL_EXPIRES_SECONDS = 1
    body = png_bytes()
    signed = _signed(customer, body)
    # X-Amz-Date has one-second resolution: after 2 s the URL is past its expiry whatever the rounding.
    time.sleep(2.2)
    r = http().put(signed["uploadUrl"], data=body, headers=signed["headers"], timeout=10)
    assert r.status_code == 403
    assert "expired" in r.text.lower()
    assert uploads.head_object(signed["key"], private=True) is None


def test_the_server_refuses_another_content_type(s3_server, customer):
    body = png_bytes()
    signed = _signed(customer, body)
    r = http().put(signed["uploadUrl"], data=body, headers={**signed["headers"], "Content-Type": "text/html"})
    assert r.status_code == 403
    assert uploads.head_object(signed["key"], private=True) is None


@pytest.mark.parametrize("delta", [1, -1])
def test_the_server_refuses_another_size(s3_server, customer, delta):
    body = png_bytes()
    signed = _signed(customer, body)
    other = body + b"\0" if delta > 0 else body[:-1]
    r = http().put(signed["uploadUrl"], data=other, headers=signed["headers"], timeout=10)
    assert r.status_code == 403
    assert uploads.head_object(signed["key"], private=True) is None


def test_the_server_refuses_changed_metadata(s3_server, customer, other_customer):
    body = png_bytes()
    signed = _signed(customer, body)
    headers = {**signed["headers"], "x-amz-meta-uploaded-by": str(other_customer.pk)}
    r = http().put(signed["uploadUrl"], data=body, headers=headers, timeout=10)
    assert r.status_code == 403


def test_the_server_refuses_an_unsigned_put_and_delete(s3_server, customer):
    up = upload_via_presign(client_for(customer), folder="ideas")
    unsigned_url = up.presign["uploadUrl"].split("?", 1)[0]
    r = http().put(unsigned_url, data=b"overwritten", headers={"Content-Type": "image/png"}, timeout=10)
    assert r.status_code == 403
    assert http().delete(up.public_url, timeout=10).status_code == 403
    assert uploads.read_object(up.key, private=True, max_bytes=10_000) == up.body


def test_the_buckets_cannot_be_listed_anonymously(s3_server):
    assert http().get(s3_server.public_base_url, timeout=10).status_code == 403
    assert http().get(f"{s3_server.endpoint}/{s3_server.private_bucket}", timeout=10).status_code == 403


def test_cors_preflight_is_answered_for_the_site_origin_only(s3_server, customer):
    signed = _signed(customer, png_bytes())
    preflight = {
        "Access-Control-Request-Method": "PUT",
        # exactly the headers a browser will send: the ones the presign response lists
        "Access-Control-Request-Headers": ",".join(h.lower() for h in signed["headers"]),
    }
    ok = http().options(signed["uploadUrl"], headers={"Origin": "http://localhost:8000", **preflight}, timeout=10)
    assert ok.status_code == 200
    assert ok.headers.get("Access-Control-Allow-Origin") in ("*", "http://localhost:8000")
    assert "PUT" in ok.headers["Access-Control-Allow-Methods"]

    evil = http().options(signed["uploadUrl"], headers={"Origin": "https://evil.example", **preflight}, timeout=10)
    assert evil.status_code == 403
    assert "Access-Control-Allow-Origin" not in evil.headers


def test_a_browser_style_put_from_the_site_origin_exposes_the_etag(s3_server, customer):
    body = png_bytes()
    signed = _signed(customer, body)
    r = http().put(signed["uploadUrl"], data=body, headers={**signed["headers"], "Origin": "http://127.0.0.1:8000"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    assert "ETag" in r.headers.get("Access-Control-Expose-Headers", "")


# --- refused by our endpoint before any URL is made -----------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contentType": "image/gif", "filename": "a.gif"}, "contentType"),
        ({"contentType": "image/svg+xml", "filename": "a.svg"}, "contentType"),
        ({"contentType": "text/html", "filename": "a.html"}, "contentType"),
        ({"contentType": "application/octet-stream", "filename": "a.png"}, "contentType"),
        ({"contentType": "image/png", "filename": "a.jpg"}, "filename"),
        ({"contentType": "image/jpeg", "filename": "a.png"}, "filename"),
        ({"contentType": "image/png", "filename": "png"}, "filename"),
        ({"contentType": "image/png", "filename": "a.png.exe"}, "filename"),
        ({"contentType": "image/webp", "filename": ".webp"}, "filename"),
        ({"size": 0}, "size"),
        ({"size": -5}, "size"),
        ({"size": "big"}, "size"),
        ({"size": None}, "size"),
        ({"folder": "selfies"}, "folder"),
        ({"filename": ""}, "filename"),
    ],
)
def test_the_endpoint_refuses_bad_requests_with_a_field_message(customer, overrides, field):
    response = presign(client_for(customer), **overrides)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert "uploadUrl" not in response.json()


def test_the_endpoint_refuses_an_oversize_file(customer, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    assert presign(client_for(customer), size=1000).status_code == 200
    response = presign(client_for(customer), size=1001)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_size"
    assert "1000" in response.json()["fields"]["size"][0]


@pytest.mark.parametrize(
    ("content_type", "filename", "ext"),
    [
        ("image/jpeg", "a.jpg", "jpg"),
        ("image/jpeg", "a.JPEG", "jpg"),
        ("image/png", "a.png", "png"),
        ("image/webp", "a.webp", "webp"),
        ("image/heic", "IMG_0001.HEIC", "heic"),
        ("IMAGE/PNG", "a.png", "png"),
    ],
)
def test_each_allowed_type_gets_a_key_with_its_extension(customer, content_type, filename, ext):
    response = presign(client_for(customer), contentType=content_type, filename=filename)
    assert response.status_code == 200, response.content
    assert response.json()["key"].endswith("." + ext)
    assert response.json()["headers"]["Content-Type"] == content_type.lower()


def test_a_customer_asking_for_the_portfolio_folder_gets_403(customer):
    response = presign(client_for(customer), folder="portfolio")
    assert response.status_code == 403
    assert "uploadUrl" not in response.json()


def test_an_admin_asking_for_the_portfolio_folder_gets_403(admin_user):
    assert presign(client_for(admin_user), folder="portfolio").status_code == 403


def test_the_folder_defaults_to_ideas(customer):
    response = presign(client_for(customer), folder=None)
    assert response.status_code == 200
    assert response.json()["key"].startswith(f"ideas/{customer.pk}/")


def test_anonymous_gets_401(api_client):
    response = presign(api_client)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\evil.png", "evil.png"),
        ("<script>alert(1)</script>.png", "script_.png"),
        ("<img src=x onerror=alert(1)>.png", "img_src_x_onerror_alert_1_.png"),
        ("évil\r\nX-Injected: 1.png", "evil_X-Injected_1.png"),
        ("  spaced   name .png", "spaced_name_.png"),
        ("日本語.png", "upload.png"),
        ("a" * 200 + ".png", "a" * 96 + ".png"),
        ("%2e%2e%2fx.png", "2e_2e_2fx.png"),
    ],
)
def test_hostile_filenames_produce_safe_keys_and_metadata(s3_server, customer, filename, expected):
    response = presign(client_for(customer), filename=filename)
    assert response.status_code == 200, response.content
    data = response.json()
    assert KEY_RE.fullmatch(data["key"])
    assert data["key"].startswith(f"ideas/{customer.pk}/")
    assert data["headers"]["x-amz-meta-original-filename"] == expected
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,100}", data["headers"]["x-amz-meta-original-filename"])


def test_a_hostile_filename_upload_round_trips(s3_server, customer):
    up = upload_via_presign(client_for(customer), folder="ideas", filename="../../<x>\u202e gnp.png")
    assert KEY_RE.fullmatch(up.key)
    assert uploads.head_object(up.key, private=True).metadata["original-filename"] == "x_gnp.png"


def test_a_filename_with_only_unsafe_characters_falls_back_to_a_generic_name(customer):
    response = presign(client_for(customer), filename="<>.png")
    assert response.status_code == 200
    assert response.json()["headers"]["x-amz-meta-original-filename"] == "upload.png"


def test_public_url_round_trips_and_foreign_urls_are_not_ours(s3_server):
    key = uploads.make_key(folder="portfolio", user_id=7, content_type="image/webp")
    assert uploads.key_from_public_url(uploads.public_url(key)) == key
    assert uploads.key_from_upload_url(uploads.private_url(key)) == key
    assert uploads.key_from_upload_url(uploads.public_url(key)) is None  # an upload URL names the private bucket
    assert uploads.key_from_public_url(uploads.private_url(key)) is None
    for url in [
        "https://evil.example/" + key,
        uploads.public_url(key) + "?x=1",
        uploads.public_url(key) + "#frag",
        uploads.public_url("portfolio/7/../8/" + "a" * 32 + ".png"),
        uploads.public_url("portfolio/7/photo.png"),
        uploads.public_url(key).replace("/portfolio/", "/portfolio%2F"),
        s3_server.public_base_url + "-other/" + key,
        None,
    ]:
        assert uploads.key_from_public_url(url) is None, url


def test_http_client_for_assertions_ignores_proxies():
    assert isinstance(http(), requests.Session)
    assert http().trust_env is False


def test_presigning_is_rate_limited_per_user(customer, other_customer, settings):
    settings.UPLOAD_PRESIGN_RATE = "2/minute"
    client = client_for(customer)
    assert [presign(client).status_code for _ in range(3)] == [200, 200, 429]
    assert presign(client).json()["code"] == "throttled"
    assert presign(client_for(other_customer)).status_code == 200


def test_the_throttled_answer_says_when_to_retry_in_the_callers_language(customer, settings):
    """DRF writes "Expected available in N seconds." after formatting the number, so the catalogue
    carries its two templates (tattoo/core/drf_messages.py) and the suffix is read in Mongolian."""
    settings.UPLOAD_PRESIGN_RATE = "1/minute"
    client = client_for(customer)
    assert presign(client).status_code == 200
    english = presign(client)
    assert english.status_code == 429
    assert re.fullmatch(r"Request was throttled\. Expected available in \d+ seconds?\.", english.json()["message"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "mn"
    mongolian = presign(client)
    assert mongolian.status_code == 429
    assert mongolian.json()["code"] == "throttled"
    wait = int(mongolian["Retry-After"])
    assert mongolian.json()["message"] == f"Хүсэлтийг түр хязгаарлалаа. {wait} секундын дараа дахин оролдоно уу."


def test_configure_bucket_cors_sets_the_rule_the_browser_needs(s3_server, customer):
    from django.core.management import call_command

    signed = _signed(customer, png_bytes())
    preflight = {
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": ",".join(h.lower() for h in signed["headers"]),
    }
    try:
        call_command("configure_bucket_cors", "--origin", "https://shop.example", stdout=io.StringIO())
        shop = http().options(signed["uploadUrl"], headers={"Origin": "https://shop.example", **preflight})
        assert shop.status_code == 200
        local = http().options(signed["uploadUrl"], headers={"Origin": "http://localhost:8000", **preflight})
        assert local.status_code == 403
    finally:
        uploads.put_bucket_cors(s3_server.cors_origins.split(","))
    assert http().options(signed["uploadUrl"], headers={"Origin": "http://localhost:8000", **preflight}).ok


def test_pages_may_reach_the_test_storage_server(s3_server, client):
    csp = client.get("/healthz").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert s3_server.endpoint in directives["connect-src"]
    assert s3_server.endpoint in directives["img-src"]


# --- uploads never attached ----------------------------------------------------------------------


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
