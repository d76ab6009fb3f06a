"""Keys and URLs of bucket objects (tattoo/core/uploads/keys.py)."""

from __future__ import annotations

from tattoo.core import uploads


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
