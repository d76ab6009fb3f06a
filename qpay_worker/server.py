"""A small threaded WSGI server for development and tests (production runs gunicorn).

wsgiref's server handles one request at a time; QPay callbacks, the web app and the sandbox's
own callbacks arrive concurrently, so each request gets a thread.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socketserver
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

log = logging.getLogger("qpay_worker.server")


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        # The callback path carries a per-invoice secret: never log it.
        path = re.sub(r"(/webhook/[^/?]+/)[^/?]+", r"\1[redacted]", (self.path or "").split("?")[0])
        log.debug("%s %s", self.command, path[:80])


def serve(app, *, host: str, port: int, name: str) -> None:
    with make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler) as httpd:
        print(f"[{name}] listening on http://{host}:{httpd.server_port}", flush=True)  # noqa: T201
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()
