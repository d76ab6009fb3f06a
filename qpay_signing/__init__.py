"""HMAC signatures for the web app <-> worker hops (Standard-Webhooks-like, bound to the route).

Headers: ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``: a
space-separated list of ``v2,<base64 HMAC-SHA256>`` over

    "{direction}\\n{METHOD}\\n{path}\\n{id}\\n{timestamp}\\n" + raw body

so a signature is good for one direction, one method and one path only (docs/security.md):

* ``TO_WORKER``: the web app's requests to the worker, signed with ``WEB_TO_WORKER_SECRET``;
* ``TO_WEB``: the worker's payment notifications to the web app, signed with ``WORKER_TO_WEB_SECRET``;
* ``ANSWER``: the worker's answer to one request, signed with ``WORKER_TO_WEB_SECRET`` over the
  request's method, path and message id, so an answer fits only the request it answers.

Each direction has its own secret list: the first signs, any verifies, so a secret is rotated
without downtime (deploy "new,old" on both sides, then drop "old"). A verifier also remembers the
message ids it accepted for twice the timestamp tolerance and refuses one seen again
(``ReplayGuard``): the worker keeps them in memory (``MemoryReplayGuard``), the web app in its
shared cache.

Standard library only: both the worker (no Django) and the web app import it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Protocol

TOLERANCE_SECONDS = 300
# A message id must be remembered as long as its timestamp can still pass: a timestamp up to
# TOLERANCE_SECONDS in the future stays acceptable until TOLERANCE_SECONDS after that.
REPLAY_WINDOW_SECONDS = 2 * TOLERANCE_SECONDS
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
VERSION = "v2"

TO_WORKER = "web-to-worker"
TO_WEB = "worker-to-web"
ANSWER = "worker-answer"
DIRECTIONS = (TO_WORKER, TO_WEB, ANSWER)


class SignatureError(Exception):
    """The request is not provably from the other side: answer 401 and touch nothing."""


class ReplayGuard(Protocol):
    def first_seen(self, msg_id: str) -> bool:
        """Remember `msg_id` for REPLAY_WINDOW_SECONDS; False when it was already remembered."""


class MemoryReplayGuard:
    """Message ids seen in this process, each kept REPLAY_WINDOW_SECONDS, at most `size` of them
    (the oldest go first). Per process: a replay sent to another worker process is not caught."""

    def __init__(self, size: int = 100_000, window: float = REPLAY_WINDOW_SECONDS):
        self.size, self.window = size, window
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_seen(self, msg_id: str) -> bool:
        now = time.time()  # the clock the timestamps are checked against
        with self._lock:
            while self._seen and (next(iter(self._seen.values())) <= now or len(self._seen) >= self.size):
                self._seen.popitem(last=False)
            if msg_id in self._seen:
                return False
            self._seen[msg_id] = now + self.window
            return True


def parse_secrets(raw: str | Sequence[str] | None) -> list[str]:
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return [s.strip() for s in items if s and s.strip()]


def _digest(secret: str, direction: str, method: str, path: str, msg_id: str, timestamp: str, body: bytes) -> str:
    head = f"{direction}\n{method.upper()}\n{path}\n{msg_id}\n{timestamp}\n".encode()
    return base64.b64encode(hmac.new(secret.encode(), head + body, hashlib.sha256).digest()).decode()


def sign(
    body: bytes,
    secrets: Sequence[str],
    *,
    direction: str,
    method: str,
    path: str,
    msg_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    """Headers that authenticate `body` for one direction, method and path; the first secret signs."""
    if not secrets:
        raise ValueError("no signing secret configured")
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}")
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    ts = str(int(time.time()) if timestamp is None else int(timestamp))
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: ts,
        SIGNATURE_HEADER: f"{VERSION},{_digest(secrets[0], direction, method, path, msg_id, ts, body)}",
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secrets: Sequence[str],
    *,
    direction: str,
    method: str,
    path: str,
    replay_guard: ReplayGuard | None = None,
    now: float | None = None,
) -> str:
    """Check the signature over the raw bytes before anything parses them; return the message id.

    Refuses timestamps more than TOLERANCE_SECONDS away in either direction (a clock may run
    early or late), compares every candidate in constant time, and with a `replay_guard` refuses
    a message id it already accepted (only authentic messages are remembered).
    """
    msg_id = _header(headers, ID_HEADER).strip()
    ts = _header(headers, TIMESTAMP_HEADER).strip()
    sig_header = _header(headers, SIGNATURE_HEADER).strip()
    if not (msg_id and ts and sig_header):
        raise SignatureError("missing signature headers")
    if not secrets:
        raise SignatureError("no verification secret configured")
    if len(msg_id) > 200:
        raise SignatureError("message id too long")
    if not ts.isdigit() or len(ts) > 12:
        raise SignatureError("bad timestamp")
    current = time.time() if now is None else now
    if abs(current - int(ts)) > TOLERANCE_SECONDS:
        raise SignatureError("timestamp outside the tolerance")
    expected = [_digest(secret, direction, method, path, msg_id, ts, body).encode() for secret in secrets]
    matched = False
    for candidate in sig_header.split():
        version, _, value = candidate.partition(",")
        if version != VERSION or not value:
            continue
        for digest in expected:
            # Every pair is compared (no early exit) so timing says nothing about which matched.
            matched |= hmac.compare_digest(value.encode(), digest)
    if not matched:
        raise SignatureError("no valid signature")
    if replay_guard is not None and not replay_guard.first_seen(msg_id):
        raise SignatureError("message id already seen (replay)")
    return msg_id


def check_separate(to_worker: Sequence[str], to_web: Sequence[str]) -> None:
    """Each direction has its own secrets (a leaked one forges one direction only, and each is
    rotated on its own): a value in both lists is a configuration mistake. Raises ValueError."""
    if set(to_worker) & set(to_web):
        raise ValueError("WEB_TO_WORKER_SECRET and WORKER_TO_WEB_SECRET must not share a value")


def wsgi_headers(environ: Mapping[str, str]) -> dict[str, str]:
    """The three signature headers from a WSGI environ (also a Django request.META)."""
    return {
        name: environ.get("HTTP_" + name.upper().replace("-", "_"), "")
        for name in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)
    }
