"""Presigned uploads: the checks on an upload request and the signed PUT for one server-chosen key
in the private bucket (every URL returned lets its holder write one object until it expires).
Presigning makes no network call."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tattoo.core.errors import ApplicationError, NotAllowedError
from tattoo.core.uploads.keys import (
    ALLOWED_TYPES,
    FOLDER_ROLES,
    FOLDERS,
    META_ORIGINAL_FILENAME,
    META_UPLOADED_BY,
    Uploader,
    make_key,
    private_url,
)
from tattoo.core.uploads.s3 import client

ORIGINAL_FILENAME_MAX = 100


@dataclass(frozen=True)
class PresignedUpload:
    upload_url: str
    public_url: str
    key: str
    expires_at: datetime
    headers: dict[str, str]


def sanitize_filename(name: str, *, fallback: str) -> str:
    """A display-only copy of the client's file name that is safe in an HTTP header and a log.

    Only the last path segment survives, reduced to ASCII letters, digits, ``.``, ``-``, ``_``
    (whitespace would be folded differently by signers and proxies, so it becomes ``_``).
    """
    base = re.split(r"[\\/]", name or "")[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name))
    stem, dot, _ext = cleaned.rpartition(".")
    if dot and not stem.strip("._-"):
        return fallback  # nothing but an extension survived
    cleaned = cleaned.strip("._-")
    if len(cleaned) > ORIGINAL_FILENAME_MAX:
        stem, dot, ext = cleaned.rpartition(".")
        if dot and len(ext) <= 10:
            cleaned = stem[: ORIGINAL_FILENAME_MAX - len(ext) - 1] + "." + ext
        else:
            cleaned = cleaned[:ORIGINAL_FILENAME_MAX]
    return cleaned or fallback


def _extension(filename: str) -> str:
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    stem, dot, ext = base.rpartition(".")
    return ext.lower() if dot and stem else ""


def presign_put(*, key: str, content_type: str, size: int, metadata: dict[str, str], expires_in: int) -> str:
    """A URL that lets its holder PUT exactly `size` bytes of `content_type` with `metadata` at
    `key` in the private bucket (uploads are never readable anonymously)."""
    return client().generate_presigned_url(
        "put_object",
        Params={
            "Bucket": settings.S3_PRIVATE_BUCKET,
            "Key": key,
            "ContentType": content_type,
            # Signed, so the bucket refuses any other body size: the only size cap a PUT can have.
            "ContentLength": size,
            "Metadata": metadata,
        },
        ExpiresIn=expires_in,
        HttpMethod="PUT",
    )


def presign_upload(*, user: Uploader, filename: str, content_type: str, size: int, folder: str) -> PresignedUpload:
    """Check an upload request and sign a PUT URL for a new key under ``{folder}/{user.id}/``."""
    if folder not in FOLDERS:
        raise ApplicationError(
            _("Unknown upload folder."),
            code="invalid",
            fields={"folder": [_("Use one of: %(choices)s.") % {"choices": ", ".join(FOLDERS)}]},
        )
    roles = FOLDER_ROLES.get(folder)
    if roles and user.role not in roles:
        raise NotAllowedError(
            (
                _("Only customers can upload to the %(folder)s folder.")
                if roles == ("customer",)
                else _("Only tattooists can upload to the %(folder)s folder.")
            )
            % {"folder": folder},
            code="folder_not_allowed",
        )
    content_type = (content_type or "").strip().lower()
    if content_type not in ALLOWED_TYPES:
        raise ApplicationError(
            _("Only JPEG, PNG, WebP and HEIC images can be uploaded."),
            code="unsupported_type",
            fields={"contentType": [_("Use one of: %(choices)s.") % {"choices": ", ".join(ALLOWED_TYPES)}]},
        )
    ext = _extension(filename)
    if ext not in ALLOWED_TYPES[content_type]:
        allowed = ", ".join("." + e for e in ALLOWED_TYPES[content_type])
        raise ApplicationError(
            _("The file name's extension does not match the content type."),
            code="extension_mismatch",
            fields={
                "filename": [
                    _("A %(content_type)s file must end in %(allowed)s.")
                    % {"content_type": content_type, "allowed": allowed}
                ]
            },
        )
    max_bytes = settings.UPLOAD_MAX_BYTES
    if isinstance(size, bool) or not isinstance(size, int) or size < 1 or size > max_bytes:
        raise ApplicationError(
            _("The file is empty or too large."),
            code="bad_size",
            fields={"size": [_("Must be between 1 and %(max_bytes)s bytes.") % {"max_bytes": max_bytes}]},
        )
    key = make_key(folder=folder, user_id=user.pk, content_type=content_type)
    metadata = {
        META_UPLOADED_BY: str(user.pk),
        META_ORIGINAL_FILENAME: sanitize_filename(filename, fallback=f"upload.{ALLOWED_TYPES[content_type][0]}"),
    }
    expires_in = settings.UPLOAD_URL_EXPIRES_SECONDS
    expires_at = timezone.now() + timedelta(seconds=expires_in)
    url = presign_put(key=key, content_type=content_type, size=size, metadata=metadata, expires_in=expires_in)
    headers = {"Content-Type": content_type, **{f"x-amz-meta-{k}": v for k, v in metadata.items()}}
    return PresignedUpload(upload_url=url, public_url=private_url(key), key=key, expires_at=expires_at, headers=headers)
