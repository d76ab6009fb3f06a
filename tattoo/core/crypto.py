"""Sensitive fields encrypted at rest: consent answers (health data) today (docs/security.md, row 24).

`cryptography`'s MultiFernet (AES-128-CBC with HMAC-SHA256, authenticated; the PyCA project) over
the keys in FIELD_ENCRYPTION_KEYS, read from the environment: the first key encrypts, every key
decrypts, so a key is rotated by putting a new one first, running `manage.py reencrypt_consents`
(MultiFernet.rotate: decrypt with whichever key fits, encrypt with the first) and then dropping the
old one. Each sealed value is stored with the id of the key that sealed it (`key_id`, a short hash
of the key), so the re-encrypt command finds what is left under an old key and staff can see when
an old key is no longer needed. The database, its dumps and its replicas hold only tokens.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class Undecryptable(Exception):
    """A token no configured key opens (a key was dropped before its values were re-encrypted,
    or the stored value was altered)."""


@dataclass(frozen=True)
class Sealed:
    token: str
    key_id: str


def key_id(key: str) -> str:
    """A short, non-reversible name of a key (it cannot be turned back into the key)."""
    return hashlib.sha256(b"inkbook-field-key|" + key.encode()).hexdigest()[:12]


@lru_cache(maxsize=8)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise RuntimeError("FIELD_ENCRYPTION_KEYS is empty")
    return keys


def primary_key_id() -> str:
    """The id of the key new values are sealed with."""
    return key_id(_keys()[0])


def seal(value: object) -> Sealed:
    """`value` (JSON-serialisable) as a token under the first key."""
    keys = _keys()
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    return Sealed(token=_multi(keys).encrypt(data).decode(), key_id=key_id(keys[0]))


def unseal(token: str) -> Any:  # the JSON value that was sealed
    """The value sealed in `token`, opened with whichever configured key fits."""
    try:
        data = _multi(_keys()).decrypt(token.encode())
    except InvalidToken:
        raise Undecryptable("no configured key opens this value") from None
    return json.loads(data)


def reseal(token: str) -> Sealed:
    """The same value sealed again under the first key (MultiFernet.rotate)."""
    keys = _keys()
    try:
        rotated = _multi(keys).rotate(token.encode())
    except InvalidToken:
        raise Undecryptable("no configured key opens this value") from None
    return Sealed(token=rotated.decode(), key_id=key_id(keys[0]))
