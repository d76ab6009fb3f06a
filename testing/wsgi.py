"""Drive Django's WSGI handler (what tattoo/wsgi.py serves) in-process, with a hand-built environ.

Django's test Client calls the handler below the WSGI callable and fills in its own headers; `wsgi_get`
builds a WSGI environ and calls a WSGIHandler, so a test sees the answer a WSGI server would send.
It does not import tattoo/wsgi.py: its get_wsgi_application() would run django.setup() again and
reset the suite's logging. It runs on the test's own database connection (inside the test
transaction); as Django's test handler does, it keeps close_old_connections off the request
signals, which would otherwise drop that connection. `environ_for` is also used by bench/inprocess.py.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from testing.language import DEFAULT_TEST_LANGUAGE


def application():
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()


@dataclass
class WsgiAnswer:
    status: int
    headers: dict[str, str]
    body: bytes
    header_list: list[tuple[str, str]] = field(repr=False, default_factory=list)

    def json(self):
        import json

        return json.loads(self.body)


@contextmanager
def _connections_kept():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def environ_for(path: str, *, method: str = "GET", host: str = "testserver", **extra) -> dict:
    path_info, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    environ.update(extra)
    return environ


def wsgi_get(path: str, *, app=None, **extra) -> WsgiAnswer:
    """GET `path` through a WSGI handler; `extra` are environ keys (HTTP_IF_NONE_MATCH=...). Like
    the suite's test clients (testing/language.py) it asks for English unless `extra` names a
    language (HTTP_ACCEPT_LANGUAGE="mn"), or HTTP_ACCEPT_LANGUAGE=None to send none."""
    extra.setdefault("HTTP_ACCEPT_LANGUAGE", DEFAULT_TEST_LANGUAGE)
    if extra["HTTP_ACCEPT_LANGUAGE"] is None:
        del extra["HTTP_ACCEPT_LANGUAGE"]
    if app is None:
        app = application()
    started: dict = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, list(headers)

    with _connections_kept():
        result = app(environ_for(path, **extra), start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    headers = started["headers"]
    return WsgiAnswer(int(started["status"][:3]), {k.lower(): v for k, v in headers}, body, headers)
