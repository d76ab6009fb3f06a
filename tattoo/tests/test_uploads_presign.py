"""Presigned uploads (tattoo/core/uploads/presign.py, the /api/upload/presign endpoint) against the real
local S3 server (scripts/s3-dev-server.js) over HTTP."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tattoo.core import uploads
from testing.clients import client_for
from testing.s3 import http, png_bytes, presign_request, presigned_put, upload_via_presign

pytestmark = pytest.mark.django_db

KEY_RE = re.compile(r"^(portfolio|ideas)/[0-9]+/[0-9a-f]{32}\.(jpg|png|webp|heic)$")


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
    response = presign_request(client_for(customer))
    assert response.status_code == 200
    query = parse_qs(urlsplit(response.json()["uploadUrl"]).query)
    assert query["X-Amz-Expires"] == ["120"]
    from datetime import datetime

    from django.utils import timezone

    expires_at = datetime.fromisoformat(response.json()["expiresAt"])
    assert 100 < (expires_at - timezone.now()).total_seconds() <= 120


def test_the_server_refuses_a_tampered_signature(s3_server, customer):
    body = png_bytes()
    signed = presigned_put(customer, body)
    url = signed["uploadUrl"]
    sig = parse_qs(urlsplit(url).query)["X-Amz-Signature"][0]
    flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    r = http().put(url.replace(sig, flipped), data=body, headers=signed["headers"], timeout=10)
    assert r.status_code == 403
    assert "SignatureDoesNotMatch" in r.text
    assert uploads.head_object(signed["key"], private=True) is None


def test_the_server_refuses_the_signature_for_another_key(s3_server, customer):
    body = png_bytes()
    signed = presigned_put(customer, body)
    other_key = signed["key"].rsplit("/", 1)[0] + "/" + "0" * 32 + ".png"
    r = http().put(signed["uploadUrl"].replace(signed["key"], other_key), data=body, headers=signed["headers"])
    assert r.status_code == 403
    assert uploads.head_object(other_key, private=True) is None


def test_the_server_refuses_an_expired_url(s3_server, customer, settings):
    settings.UPLOAD_URL_EXPIRES_SECONDS = 1
    body = png_bytes()
    signed = presigned_put(customer, body)
    # X-Amz-Date has one-second resolution: after 2 s the URL is past its expiry whatever the rounding.
    time.sleep(2.2)
    r = http().put(signed["uploadUrl"], data=body, headers=signed["headers"], timeout=10)
    assert r.status_code == 403
    assert "expired" in r.text.lower()
    assert uploads.head_object(signed["key"], private=True) is None


def test_the_server_refuses_another_content_type(s3_server, customer):
    body = png_bytes()
    signed = presigned_put(customer, body)
    r = http().put(signed["uploadUrl"], data=body, headers={**signed["headers"], "Content-Type": "text/html"})
    assert r.status_code == 403
    assert uploads.head_object(signed["key"], private=True) is None


@pytest.mark.parametrize("delta", [1, -1])
def test_the_server_refuses_another_size(s3_server, customer, delta):
    body = png_bytes()
    signed = presigned_put(customer, body)
    other = body + b"\0" if delta > 0 else body[:-1]
    r = http().put(signed["uploadUrl"], data=other, headers=signed["headers"], timeout=10)
    assert r.status_code == 403
    assert uploads.head_object(signed["key"], private=True) is None


def test_the_server_refuses_changed_metadata(s3_server, customer, other_customer):
    body = png_bytes()
    signed = presigned_put(customer, body)
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
    response = presign_request(client_for(customer), **overrides)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert "uploadUrl" not in response.json()


def test_the_endpoint_refuses_an_oversize_file(customer, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    assert presign_request(client_for(customer), size=1000).status_code == 200
    response = presign_request(client_for(customer), size=1001)
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
    response = presign_request(client_for(customer), contentType=content_type, filename=filename)
    assert response.status_code == 200, response.content
    assert response.json()["key"].endswith("." + ext)
    assert response.json()["headers"]["Content-Type"] == content_type.lower()


def test_a_customer_asking_for_the_portfolio_folder_gets_403(customer):
    response = presign_request(client_for(customer), folder="portfolio")
    assert response.status_code == 403
    assert "uploadUrl" not in response.json()


def test_an_admin_asking_for_the_portfolio_folder_gets_403(admin_user):
    assert presign_request(client_for(admin_user), folder="portfolio").status_code == 403


def test_the_folder_defaults_to_ideas(customer):
    response = presign_request(client_for(customer), folder=None)
    assert response.status_code == 200
    assert response.json()["key"].startswith(f"ideas/{customer.pk}/")


def test_anonymous_gets_401(api_client):
    response = presign_request(api_client)
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
    response = presign_request(client_for(customer), filename=filename)
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
    response = presign_request(client_for(customer), filename="<>.png")
    assert response.status_code == 200
    assert response.json()["headers"]["x-amz-meta-original-filename"] == "upload.png"


def test_http_client_for_assertions_ignores_proxies():
    assert isinstance(http(), requests.Session)
    assert http().trust_env is False


def test_presigning_is_rate_limited_per_user(customer, other_customer, settings):
    settings.UPLOAD_PRESIGN_RATE = "2/minute"
    client = client_for(customer)
    assert [presign_request(client).status_code for _ in range(3)] == [200, 200, 429]
    assert presign_request(client).json()["code"] == "throttled"
    assert presign_request(client_for(other_customer)).status_code == 200


def test_the_throttled_answer_says_when_to_retry_in_the_callers_language(customer, settings):
    """DRF writes "Expected available in N seconds." after formatting the number, so the catalogue
    carries its two templates (tattoo/core/drf_messages.py) and the suffix is read in Mongolian."""
    settings.UPLOAD_PRESIGN_RATE = "1/minute"
    client = client_for(customer)
    assert presign_request(client).status_code == 200
    english = presign_request(client)
    assert english.status_code == 429
    assert re.fullmatch(r"Request was throttled\. Expected available in \d+ seconds?\.", english.json()["message"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "mn"
    mongolian = presign_request(client)
    assert mongolian.status_code == 429
    assert mongolian.json()["code"] == "throttled"
    wait = int(mongolian["Retry-After"])
    assert mongolian.json()["message"] == f"Хүсэлтийг түр хязгаарлалаа. {wait} секундын дараа дахин оролдоно уу."
