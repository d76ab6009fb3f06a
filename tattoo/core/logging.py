"""Logging helpers: nothing secret ever reaches a log line."""

from __future__ import annotations

import logging
import re

# Bearer tokens, JWTs, password fields, signature headers, QPay callback secrets and the artist's
# calendar feed token (the feed's URL is its only credential; docs/security.md).
_PATTERNS = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), "[redacted-jwt]"),
    (
        re.compile(r'(?i)("?(?:password|secret|token|access|refresh|signature)"?\s*[:=]\s*"?)[^"&\s,}]+'),
        r"\1[redacted]",
    ),
    (re.compile(r"(?i)(/webhook/[^/?\s]+/)[^/?\s]+"), r"\1[redacted]"),
    (re.compile(r"(/calendar/)[^/?\s]+(\.ics)"), r"\1[redacted]\2"),
    (re.compile(r"(?i)([?&](?:s|secret|token|key)=)[^&\s]+"), r"\1[redacted]"),
]


def redact(text: str) -> str:
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
