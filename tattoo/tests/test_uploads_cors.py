"""The buckets as a browser meets them, against the real local S3 server: the CORS rule
(tattoo/core/uploads/cors.py, ``manage.py configure_bucket_cors``), the pages' CSP, no anonymous listing."""

from __future__ import annotations

import io

import pytest

from tattoo.core import uploads
from testing.s3 import http, png_bytes, presigned_put

pytestmark = pytest.mark.django_db


def test_the_buckets_cannot_be_listed_anonymously(s3_server):
    assert http().get(s3_server.public_base_url, timeout=10).status_code == 403
    assert http().get(f"{s3_server.endpoint}/{s3_server.private_bucket}", timeout=10).status_code == 403


def test_cors_preflight_is_answered_for_the_site_origin_only(s3_server, customer):
    signed = presigned_put(customer, png_bytes())
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
    signed = presigned_put(customer, body)
    r = http().put(signed["uploadUrl"], data=body, headers={**signed["headers"], "Origin": "http://127.0.0.1:8000"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    assert "ETag" in r.headers.get("Access-Control-Expose-Headers", "")


def test_configure_bucket_cors_sets_the_rule_the_browser_needs(s3_server, customer):
    from django.core.management import call_command

    signed = presigned_put(customer, png_bytes())
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
