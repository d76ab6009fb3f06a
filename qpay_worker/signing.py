"""HMAC signatures for the web app <-> worker hops (Standard-Webhooks-like).

Headers: ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``: a
space-separated list of ``v1,<base64 HMAC-SHA256>`` over ``"{id}.{timestamp}.{raw body}"``.
The first configured secret signs; any configured secret verifies, so a secret can be rotated
without downtime (deploy "new,old" everywhere, then drop "old").

Standard library only: both the worker (no Django) and the web app import it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from collections.abc import Mapping, Sequence

TOLERANCE_SECONDS = 300
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"


class SignatureError(Exception):
    """The request is not provably from the other side: answer 401 and touch nothing."""


def parse_secrets(raw: str | Sequence[str] | None) -> list[str]:
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return [s.strip() for s in items if s and s.strip()]


def _digest(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()


def sign(
    body: bytes, secrets: Sequence[str], *, msg_id: str | None = None, timestamp: int | None = None
) -> dict[str, str]:
    """Headers that authenticate `body`; signed with the first secret only."""
    if not secrets:
        raise ValueError("no signing secret configured")
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    ts = str(int(time.time()) if timestamp is None else int(timestamp))
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: ts,
        SIGNATURE_HEADER: f"v1,{_digest(secrets[0], msg_id, ts, body)}",
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def verify(body: bytes, headers: Mapping[str, str], secrets: Sequence[str], *, now: float | None = None) -> str:
    """Check the signature over the raw bytes before anything parses them; return the message id.

    Refuses timestamps more than TOLERANCE_SECONDS away in either direction (a clock may run
    early or late) and compares every candidate in constant time.
    """
    msg_id = _header(headers, ID_HEADER).strip()
    ts = _header(headers, TIMESTAMP_HEADER).strip()
    sig_header = _header(headers, SIGNATURE_HEADER).strip()
    if not (msg_id and ts and sig_header):
        raise SignatureError("missing signature headers")
    if not secrets:
        raise SignatureError("no verification secret configured")
    if not ts.isdigit() or len(ts) > 12:
        raise SignatureError("bad timestamp")
    current = time.time() if now is None else now
    if abs(current - int(ts)) > TOLERANCE_SECONDS:
        raise SignatureError("timestamp outside the tolerance")
    expected = [_digest(secret, msg_id, ts, body).encode() for secret in secrets]
    matched = False
    for candidate in sig_header.split():
        version, _, value = candidate.partition(",")
        if version != "v1" or not value:
            continue
        for digest in expected:
            # Every pair is compared (no early exit) so timing says nothing about which matched.
            matched |= hmac.compare_digest(value.encode(), digest)
    if not matched:
        raise SignatureError("no valid signature")
    return msg_id


def wsgi_headers(environ: Mapping[str, str]) -> dict[str, str]:
    """The three signature headers from a WSGI environ (also a Django request.META)."""
    return {
        name: environ.get("HTTP_" + name.upper().replace("-", "_"), "")
        for name in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)
    }
