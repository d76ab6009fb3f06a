"""Reads from the buckets (they only read), and what an attach checks before a record may take an
upload: ``verify_upload`` and the attach lock (tattoo/core/images.py ``attach_image``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from tattoo.core.errors import ApplicationError, ConflictError
from tattoo.core.uploads.keys import ALLOWED_TYPES, META_UPLOADED_BY, Uploader
from tattoo.core.uploads.s3 import bucket_name, client, unavailable


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    content_type: str
    metadata: dict[str, str]
    last_modified: datetime | None = None


def head_object(key: str, *, private: bool = False) -> StoredObject | None:
    """The object's size, type and metadata, or None when there is no such object."""
    try:
        r = client().head_object(Bucket=bucket_name(private=private), Key=key)
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404 or exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise unavailable("HEAD", key, exc) from exc
    except BotoCoreError as exc:
        raise unavailable("HEAD", key, exc) from exc
    return StoredObject(
        key=key,
        size=int(r.get("ContentLength", 0)),
        content_type=(r.get("ContentType") or "").lower(),
        metadata={k.lower(): v for k, v in (r.get("Metadata") or {}).items()},
        last_modified=r.get("LastModified"),
    )


def verify_upload(key: str, *, user: Uploader, field: str = "imageUrl") -> StoredObject:
    """The upload at `key` (private bucket), checked before a record may be made of it.

    400 unless the object exists, its size and type are allowed (and the type agrees with the
    key), it is young enough, the caller uploaded it and its first bytes match its type; 503 when
    the bucket is down.
    """
    obj = head_object(key, private=True)
    if obj is None:
        raise ApplicationError(
            _("No uploaded image at that URL; upload it first."),
            code="image_missing",
            fields={field: [_("No such upload.")]},
        )
    ext = key.rsplit(".", 1)[1]
    if obj.content_type not in ALLOWED_TYPES or ALLOWED_TYPES[obj.content_type][0] != ext:
        raise ApplicationError(
            _("The uploaded file is not an allowed image type."),
            code="unsupported_type",
            fields={field: [_("The upload is not a JPEG, PNG, WebP or HEIC image.")]},
        )
    if not 1 <= obj.size <= settings.UPLOAD_MAX_BYTES:
        raise ApplicationError(
            _("The uploaded file is empty or too large."),
            code="bad_size",
            fields={
                field: [
                    _("The upload must be between 1 and %(max_bytes)s bytes.")
                    % {"max_bytes": settings.UPLOAD_MAX_BYTES}
                ]
            },
        )
    window = timedelta(hours=settings.UPLOAD_ATTACH_WITHIN_HOURS)
    if obj.last_modified is not None and obj.last_modified < timezone.now() - window:
        # sweep_unattached removes uploads never attached after a longer grace period: a record
        # must never point at one that is about to go.
        raise ApplicationError(
            _("That upload is too old to use; upload the image again."),
            code="upload_expired",
            fields={
                field: [_("Attach an upload within %(hours)s hours.") % {"hours": settings.UPLOAD_ATTACH_WITHIN_HOURS}]
            },
        )
    if obj.metadata.get(META_UPLOADED_BY) != str(user.pk):
        raise ApplicationError(
            _("That image was not uploaded by you."), code="image_not_yours", fields={field: [_("Not your upload.")]}
        )
    if not _looks_like(obj.content_type, read_head_bytes(key, 32, private=True)):
        raise ApplicationError(
            _("The uploaded file is not the image its type claims."),
            code="not_an_image",
            fields={
                field: [_("The upload is not a valid %(content_type)s file.") % {"content_type": obj.content_type}]
            },
        )
    return obj


def image_in_use(field: str) -> ConflictError:
    return ConflictError(_("That image is already in use."), code="image_in_use", fields={field: [_("Already used.")]})


@contextmanager
def attach_lock(key: str) -> Iterator[bool]:
    """A PostgreSQL session advisory lock on `key` (no transaction stays open across the bucket
    calls); False when another request holds it."""
    lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def _looks_like(content_type: str, head: bytes) -> bool:
    """The file's first bytes agree with its declared type (the type alone is the client's word)."""
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if content_type == "image/heic":
        return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS
    return False


def read_head_bytes(key: str, count: int, *, private: bool = False) -> bytes:
    """The first `count` bytes of an object (a ranged GET)."""
    try:
        r = client().get_object(Bucket=bucket_name(private=private), Key=key, Range=f"bytes=0-{count - 1}")
        return r["Body"].read(count)
    except (ClientError, BotoCoreError) as exc:
        raise unavailable("GET", key, exc) from exc


def read_object(key: str, *, private: bool, max_bytes: int) -> bytes | None:
    """The whole object (at most `max_bytes`: a longer one raises ValueError), or None when missing."""
    try:
        r = client().get_object(Bucket=bucket_name(private=private), Key=key)
        body = r["Body"].read(max_bytes + 1)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise unavailable("GET", key, exc) from exc
    except BotoCoreError as exc:
        raise unavailable("GET", key, exc) from exc
    if len(body) > max_bytes:
        raise ValueError(f"{key} is larger than {max_bytes} bytes")
    return body
