"""The bucket: the one module that talks to object storage.

Production is Cloudflare R2 through its S3 API (region ``auto``, SigV4, path-style addressing);
development and tests use the local S3 stand-in started by ``scripts/s3-dev-server.js``. Clients
never send files through Django: ``presign_upload`` signs a PUT for one server-chosen key, the
client PUTs the bytes straight to the bucket, and a record (portfolio item, tattoo idea) accepts
the object only through ``verify_uploaded_image`` (our public URL, the caller's own prefix, a HEAD
that finds the object with an allowed size and type, first bytes that match that type).

Calls that DELETE DATA (there is no undo: the bucket keeps no versions):
* ``delete_object(key)`` removes one object now.
* ``object_delete_later(key)`` queues a ``PendingObjectDeletion`` in the caller's transaction and
  removes the object once that transaction commits.
* ``object_delete_attempt(key)`` and ``retry_pending_deletions()`` remove queued objects
  (``manage.py retry_object_deletes`` runs the latter).

Calls that write: ``put_object`` (server-side upload, used by the seed command), ``copy_object``
(``attach_upload`` copies an upload to the key a record keeps) and every URL ``presign_upload``
returns (it lets its holder write one object until it expires). Presigning itself makes no network
call; ``head_object`` and ``read_head_bytes`` only read.

A presigned PUT can be replayed until it expires, so a record never points at the upload's own key:
``attach_upload`` copies the upload to a key no URL was ever signed for and checks the copy, so what
was checked is what is served (docs/security.md).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError, UpstreamUnavailable
from tattoo.core.models import PendingObjectDeletion

logger = logging.getLogger("inkbook.uploads")

# Allowed image types and the file extensions that may carry each; the key uses the first one.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "image/heic": ("heic",),
}
FOLDERS = ("portfolio", "ideas", "avatars")
# Folders only some roles may write to; everyone signed in may use the others.
FOLDER_ROLES = {"portfolio": ("tattooist",), "avatars": ("tattooist",)}

# Metadata signed into every upload URL (sent as x-amz-meta-<name>); the local server's CORS rule
# and R2's must allow exactly these header names.
META_UPLOADED_BY = "uploaded-by"
META_ORIGINAL_FILENAME = "original-filename"
ORIGINAL_FILENAME_MAX = 100

_KEY_EXTS = "|".join(sorted({exts[0] for exts in ALLOWED_TYPES.values()}))
_KEY_RE = re.compile(
    r"^(?P<folder>[a-z]+)/(?P<user_id>[1-9][0-9]{0,18})/(?P<name>[0-9a-f]{32})\.(?P<ext>" + _KEY_EXTS + ")$"
)


@dataclass(frozen=True)
class PresignedUpload:
    upload_url: str
    public_url: str
    key: str
    expires_at: datetime
    headers: dict[str, str]


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    content_type: str
    metadata: dict[str, str]
    last_modified: datetime | None = None


@dataclass(frozen=True)
class SweepReport:
    scanned: int  # objects under the upload folders
    deleted: int  # never attached, older than the grace period (would be, with dry_run)
    attached: int  # old enough but referenced by a record (or queued for deletion already)
    recent: int  # younger than the grace period: an upload may still be attached
    foreign: int  # keys this module never makes: left alone


# --- client ---------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _client_for(endpoint: str, access_key: str, secret_key: str, region: str, timeout: float):
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        # boto3 >= 1.36 adds CRC32 checksums (aws-chunked trailers) that R2 rejects on some calls.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": 2, "mode": "standard"},
    )
    # A session per client: boto3's default session is not safe to share across threads.
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=config,
    )


def client():
    """The boto3 S3 client for the configured bucket (settings are read on every call)."""
    return _client_for(
        settings.S3_ENDPOINT_URL,
        settings.S3_ACCESS_KEY_ID,
        settings.S3_SECRET_ACCESS_KEY,
        settings.S3_REGION,
        float(settings.S3_TIMEOUT_SECONDS),
    )


# --- keys and URLs --------------------------------------------------------------------------


def public_url(key: str) -> str:
    """The unsigned public URL of a key (R2 custom domain or r2.dev; locally the stand-in)."""
    return f"{settings.S3_PUBLIC_BASE_URL}/{key}"


def make_key(*, folder: str, user_id: int, content_type: str) -> str:
    return f"{folder}/{int(user_id)}/{uuid.uuid4().hex}.{ALLOWED_TYPES[content_type][0]}"


def key_from_public_url(url: str) -> str | None:
    """The key behind one of our public URLs, or None for anything else.

    Only keys this module makes are accepted, so no query, fragment, encoding or ``..`` trick
    can point a record at another object.
    """
    if not isinstance(url, str):
        return None
    base = settings.S3_PUBLIC_BASE_URL + "/"
    if not url.startswith(base):
        return None
    key = url[len(base) :]
    return key if _KEY_RE.fullmatch(key) else None


def owned_key_from_url(url: str, *, folder: str, user, field: str = "imageUrl") -> str:
    """The key behind `url` if it is our public URL under ``{folder}/{user.id}/``; else 400."""
    key = key_from_public_url(url)
    if key is None:
        raise ApplicationError(
            _("The image must be uploaded through /api/upload/presign first."),
            code="image_not_ours",
            fields={field: [_("Not an upload URL of this site; upload the image with /api/upload/presign.")]},
        )
    if not key.startswith(f"{folder}/{user.pk}/"):
        raise ApplicationError(
            _("That image belongs to another upload folder or user."),
            code="image_not_yours",
            fields={field: [_("Use an image you uploaded to the %(folder)s folder.") % {"folder": folder}]},
        )
    return key


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


# --- presign --------------------------------------------------------------------------------


def presign_put(*, key: str, content_type: str, size: int, metadata: dict[str, str], expires_in: int) -> str:
    """A URL that lets its holder PUT exactly `size` bytes of `content_type` with `metadata` at `key`."""
    return client().generate_presigned_url(
        "put_object",
        Params={
            "Bucket": settings.S3_BUCKET,
            "Key": key,
            "ContentType": content_type,
            # Signed, so the bucket refuses any other body size: the only size cap a PUT can have.
            "ContentLength": size,
            "Metadata": metadata,
        },
        ExpiresIn=expires_in,
        HttpMethod="PUT",
    )


def presign_upload(*, user, filename: str, content_type: str, size: int, folder: str) -> PresignedUpload:
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
            _("Only tattooists can upload to the %(folder)s folder.") % {"folder": folder}, code="folder_not_allowed"
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
    return PresignedUpload(upload_url=url, public_url=public_url(key), key=key, expires_at=expires_at, headers=headers)


# --- reads ----------------------------------------------------------------------------------


def _unavailable(action: str, key: str, exc: Exception) -> UpstreamUnavailable:
    logger.warning("storage %s failed for %s: %s", action, key, exc)
    return UpstreamUnavailable(_("The image storage is not answering; try again shortly."), code="storage_unavailable")


def head_object(key: str) -> StoredObject | None:
    """The object's size, type and metadata, or None when there is no such object."""
    try:
        r = client().head_object(Bucket=settings.S3_BUCKET, Key=key)
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404 or exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise _unavailable("HEAD", key, exc) from exc
    except BotoCoreError as exc:
        raise _unavailable("HEAD", key, exc) from exc
    return StoredObject(
        key=key,
        size=int(r.get("ContentLength", 0)),
        content_type=(r.get("ContentType") or "").lower(),
        metadata={k.lower(): v for k, v in (r.get("Metadata") or {}).items()},
        last_modified=r.get("LastModified"),
    )


def verify_uploaded_image(*, image_url: str, folder: str, user, field: str = "imageUrl") -> StoredObject:
    """The uploaded object behind `image_url`, checked before a record may point at it.

    400 unless the URL is our public URL under ``{folder}/{user.id}/``, the object exists, and its
    size and type are allowed (and the type agrees with the key); 503 when the bucket is down.
    """
    key = owned_key_from_url(image_url, folder=folder, user=user, field=field)
    return _verify_object(key, user=user, field=field)


def _verify_object(key: str, *, user, field: str) -> StoredObject:
    obj = head_object(key)
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
    if not _looks_like(obj.content_type, read_head_bytes(key, 32)):
        raise ApplicationError(
            _("The uploaded file is not the image its type claims."),
            code="not_an_image",
            fields={
                field: [_("The upload is not a valid %(content_type)s file.") % {"content_type": obj.content_type}]
            },
        )
    return obj


def attached_key(upload_key: str) -> str:
    """The key a record keeps for an upload: same folder and owner, a name derived from the upload's
    key (so one upload maps to one attached object) that no presigned URL was ever made for."""
    folder, user_id, rest = upload_key.split("/", 2)
    name = uuid.uuid5(uuid.NAMESPACE_URL, f"inkbook-attached:{upload_key}").hex
    return f"{folder}/{user_id}/{name}.{rest.rsplit('.', 1)[1]}"


def _image_in_use(field: str) -> ConflictError:
    return ConflictError(_("That image is already in use."), code="image_in_use", fields={field: [_("Already used.")]})


@contextmanager
def _attach_lock(key: str) -> Iterator[bool]:
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


@contextmanager
def attach_upload(
    *, image_url: str, folder: str, user, in_use: Callable[[str], bool], field: str = "imageUrl"
) -> Iterator[StoredObject]:
    """WRITES: the checked copy of the caller's upload that a record may point at; the caller
    creates the record inside the ``with`` block.

    The upload is copied to ``attached_key`` and the copy is what gets checked (type, size, owner,
    first bytes), so a replay of the presigned PUT, which rewrites only the upload's own key, can
    never change what the record serves. One upload backs one record: `in_use(key)` says whether a
    record already has the attached key (409 ``image_in_use``), and an advisory lock on the key
    makes concurrent attaches of one upload queue behind each other (the losers get 409 too).
    """
    upload_key = owned_key_from_url(image_url, folder=folder, user=user, field=field)
    final_key = attached_key(upload_key)
    with _attach_lock(final_key) as got:
        if not got or in_use(final_key):
            raise _image_in_use(field)
        _verify_object(upload_key, user=user, field=field)  # early answers about the upload itself
        copy_object(source_key=upload_key, key=final_key)
        try:
            attached = _verify_object(final_key, user=user, field=field)
        except ApplicationError:
            delete_object(final_key)  # replaced between the two checks: nothing points at it yet
            raise
        yield attached
    try:
        delete_object(upload_key)  # attached: the upload's own key serves nothing any more
    except UpstreamUnavailable:
        pass  # sweep_unattached removes it later (no record names it)


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


def read_head_bytes(key: str, count: int) -> bytes:
    """The first `count` bytes of an object (a ranged GET)."""
    try:
        r = client().get_object(Bucket=settings.S3_BUCKET, Key=key, Range=f"bytes=0-{count - 1}")
        return r["Body"].read(count)
    except (ClientError, BotoCoreError) as exc:
        raise _unavailable("GET", key, exc) from exc


# --- bucket configuration -------------------------------------------------------------------


def cors_rules(origins: list[str]) -> dict:
    """The bucket CORS rule browsers need for presigned PUTs and public reads from `origins`.

    R2 wants allowed headers listed by name (no ``x-amz-meta-*``); scripts/s3-dev-server.js
    installs the same rule locally.
    """
    return {
        "CORSRules": [
            {
                "AllowedOrigins": list(origins),
                "AllowedMethods": ["PUT", "GET", "HEAD"],
                "AllowedHeaders": [
                    "content-type",
                    *(f"x-amz-meta-{m}" for m in (META_UPLOADED_BY, META_ORIGINAL_FILENAME)),
                ],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 600,
            }
        ]
    }


def put_bucket_cors(origins: list[str]) -> None:
    """Replace the bucket's CORS configuration (``manage.py configure_bucket_cors``)."""
    try:
        client().put_bucket_cors(Bucket=settings.S3_BUCKET, CORSConfiguration=cors_rules(origins))
    except (ClientError, BotoCoreError) as exc:
        raise _unavailable("PutBucketCors", settings.S3_BUCKET, exc) from exc


# --- writes ---------------------------------------------------------------------------------


def put_object(*, key: str, body: bytes, content_type: str, metadata: dict[str, str] | None = None) -> None:
    """Upload bytes from the server (seed data); user uploads go through presigned URLs."""
    try:
        client().put_object(
            Bucket=settings.S3_BUCKET, Key=key, Body=body, ContentType=content_type, Metadata=metadata or {}
        )
    except (ClientError, BotoCoreError) as exc:
        raise _unavailable("PUT", key, exc) from exc


def copy_object(*, source_key: str, key: str) -> None:
    """WRITES: a server-side copy of an object (bytes, type and metadata) to another key."""
    try:
        client().copy_object(
            Bucket=settings.S3_BUCKET,
            Key=key,
            CopySource={"Bucket": settings.S3_BUCKET, "Key": source_key},
            MetadataDirective="COPY",
        )
    except (ClientError, BotoCoreError) as exc:
        raise _unavailable("COPY", key, exc) from exc


def delete_object(key: str) -> None:
    """DELETES DATA: remove one object now. Deleting a missing key succeeds (S3 semantics)."""
    try:
        client().delete_object(Bucket=settings.S3_BUCKET, Key=key)
    except (ClientError, BotoCoreError) as exc:
        raise _unavailable("DELETE", key, exc) from exc


# Core imports no domain app: the apps whose records name bucket objects register here in their
# AppConfig.ready. Each holder maps candidate keys to the ones its records still name.
_key_holders: list[Callable[[list[str]], Iterable[str]]] = []


def register_key_holder(holder: Callable[[list[str]], Iterable[str]]) -> None:
    if holder not in _key_holders:
        _key_holders.append(holder)


def object_delete_later(key: str) -> None:
    """DELETES DATA after commit: call inside the transaction that deletes the record.

    The queue row is written with the record's delete, so a crash or a bucket outage can only
    delay the object's removal (``manage.py retry_object_deletes``), never forget it; and the
    record's delete never waits on, or fails because of, the bucket.
    """
    PendingObjectDeletion.objects.get_or_create(key=key)
    transaction.on_commit(lambda: object_delete_attempt(key), robust=True)


def object_delete_attempt(key: str) -> bool:
    """DELETES DATA: try to remove a queued object; True when it is gone (and dequeued)."""
    from django.db.models import F

    try:
        delete_object(key)
    except UpstreamUnavailable as exc:
        cause = exc.__cause__ or exc
        PendingObjectDeletion.objects.filter(key=key).update(
            attempts=F("attempts") + 1, last_error=f"{type(cause).__name__}: {cause}"[:2000], updated_at=timezone.now()
        )
        logger.warning("object %s not deleted; queued for retry_object_deletes", key)
        return False
    PendingObjectDeletion.objects.filter(key=key).delete()
    return True


def retry_pending_deletions(*, limit: int | None = None) -> tuple[int, int]:
    """DELETES DATA: retry every queued object delete, oldest attempt first → (deleted, still failing)."""
    keys = PendingObjectDeletion.objects.order_by("updated_at", "id").values_list("key", flat=True)
    if limit:
        keys = keys[:limit]
    done = failed = 0
    for key in list(keys):
        if object_delete_attempt(key):
            done += 1
        else:
            failed += 1
    return done, failed


def sweep_unattached(*, older_than: timedelta, dry_run: bool = False) -> SweepReport:
    """DELETES DATA: remove uploads no record ever pointed at (a presigned PUT that was never
    attached to a portfolio item, an idea or an artist's avatar), once older than `older_than`.

    Only keys this module makes, under the upload folders, are considered; an object is kept when
    a portfolio item, idea or avatar names it or when it is already queued in PendingObjectDeletion (the
    queue deletes it). `older_than` must exceed UPLOAD_ATTACH_WITHIN_HOURS, so an upload being
    attached right now is never swept. Lists the bucket page by page (1,000 keys per request, one
    database query per page).
    """
    if older_than <= timedelta(hours=settings.UPLOAD_ATTACH_WITHIN_HOURS):
        raise ValueError("older_than must exceed UPLOAD_ATTACH_WITHIN_HOURS (uploads may still be attached)")
    cutoff = timezone.now() - older_than
    scanned = deleted = attached = recent = foreign = 0
    paginator = client().get_paginator("list_objects_v2")
    try:
        for folder in FOLDERS:
            for page in paginator.paginate(Bucket=settings.S3_BUCKET, Prefix=f"{folder}/"):
                old = []
                for obj in page.get("Contents", []):
                    scanned += 1
                    if not _KEY_RE.match(obj["Key"]):
                        foreign += 1
                    elif obj["LastModified"] >= cutoff:
                        recent += 1
                    else:
                        old.append(obj["Key"])
                used = set(PendingObjectDeletion.objects.filter(key__in=old).values_list("key", flat=True))
                for holder in _key_holders:
                    used |= set(holder(old))
                attached += len(used)
                for key in old:
                    if key in used:
                        continue
                    if not dry_run:
                        delete_object(key)
                        logger.info("swept unattached upload %s", key)
                    deleted += 1
    except (ClientError, BotoCoreError) as exc:
        raise _unavailable("LIST", settings.S3_BUCKET, exc) from exc
    return SweepReport(scanned=scanned, deleted=deleted, attached=attached, recent=recent, foreign=foreign)
