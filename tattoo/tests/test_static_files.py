"""Static files in the suite's settings (served through the finders, STATIC_MANIFEST=false): every
test client's middleware chain serves them, and all chains share one scan of the finders
(tattoo.core.middleware.StaticFilesMiddleware)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.test import Client

from tattoo.core.middleware import StaticFilesMiddleware


def test_two_middleware_chains_share_one_scan_of_the_static_files():
    first = StaticFilesMiddleware(lambda request: None)
    second = StaticFilesMiddleware(lambda request: None)
    url = "/static/css/app.css"
    assert url in first.files
    # the same object, not an equal one: the second chain did not scan and stat the files again
    assert second.files[url] is first.files[url]
    assert set(second.files) == set(first.files)


def test_each_new_test_client_serves_a_static_file_whole():
    expected = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_bytes()
    for _ in range(2):
        response = Client().get("/static/css/app.css")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/css")
        assert b"".join(response.streaming_content) == expected
