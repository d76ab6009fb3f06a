"""The buckets: the one module that talks to object storage through boto3.

Production is Cloudflare R2 through its S3 API (region ``auto``, SigV4, path-style addressing);
development and tests use the local S3 stand-in started by ``scripts/s3-dev-server.js``. There are
two buckets: the public one (``S3_BUCKET``, read anonymously at ``S3_PUBLIC_BASE_URL``) holds only
images made by the server (sanitised copies and their variants, tattoo/core/images.py); the private
one (``S3_PRIVATE_BUCKET``, no anonymous read) holds every upload, so a phone's original bytes are
never public, and the private images (ideas) with their variants. Functions that take ``private``
act on that bucket.

Clients never send files through Django: ``presign_upload`` signs a PUT for one server-chosen key
in the private bucket, the client PUTs the bytes straight there, and a record (portfolio item,
tattoo idea) accepts the upload only through ``verify_upload`` (our upload URL, the caller's own
prefix, a HEAD that finds the object with an allowed size and type, first bytes that match that
type); tattoo/core/images.py then re-encodes it into the bucket the record's kind says.

Calls that DELETE DATA (there is no undo: the buckets keep no versions):
* ``delete_object(key)`` removes one object now.
* ``objects_delete_later(keys)`` (``object_delete_later(key)``) queues ``PendingObjectDeletion``
  rows in the caller's transaction and removes the objects once that transaction commits.
* ``objects_delete_attempt(keys)`` and ``retry_pending_deletions()`` remove queued objects, from
  both buckets (a record's key names one object, in whichever bucket holds it; ``manage.py
  retry_object_deletes`` runs the latter).
* ``sweep_unattached`` removes old objects no record names.

Calls that write: ``put_object`` (server-side upload, used by the seed command) and every URL
``presign_upload`` returns (it lets its holder write one object until it expires); the sanitised
images are written by tattoo/core/images.py through django-storages. Presigning makes no network
call; ``head_object``, ``read_object`` and ``read_head_bytes`` only read.

A presigned PUT can be replayed until it expires, so a record never points at the upload's own key:
tattoo/core/images.py decodes the upload once and stores its re-encoded copy at a key no URL was
ever signed for, so what was checked is what is served (docs/security.md).
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
from typing import TYPE_CHECKING, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError, UpstreamUnavailable
from tattoo.core.hooks import Hook
from tattoo.core.models import PendingObjectDeletion

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client
    from types_boto3_s3.type_defs import CORSConfigurationTypeDef, PutObjectRequestTypeDef

logger = logging.getLogger("inkbook.uploads")

# Allowed image types and the file extensions that may carry each; the key uses the first one.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "image/heic": ("heic",),
}
FOLDERS = ("portfolio", "ideas", "avatars", "reviews", "consultations")
# Folders only some roles may write to; everyone signed in may use the others. `reviews`: a
# customer's healed photo (reviews/services.py).
FOLDER_ROLES = {"portfolio": ("tattooist",), "avatars": ("tattooist",), "reviews": ("customer",)}

# Metadata signed into every upload URL (sent as x-amz-meta-<name>); the local server's CORS rule
# and R2's must allow exactly these header names.
META_UPLOADED_BY = "uploaded-by"
META_ORIGINAL_FILENAME = "original-filename"
ORIGINAL_FILENAME_MAX = 100

_KEY_EXTS = "|".join(sorted({exts[0] for exts in ALLOWED_TYPES.values()}))
_KEY_RE = re.compile(
    r"^(?P<folder>[a-z]+)/(?P<user_id>[1-9][0-9]{0,18})/(?P<name>[0-9a-f]{32})\.(?P<ext>" + _KEY_EXTS + ")$"
)
# A derived WebP variant of an attached image: ``{image key}.w{width}.webp`` (tattoo/core/images.py).
_VARIANT_RE = re.compile(r"^(?P<image>.+)\.w(?P<width>[1-9][0-9]{1,4})\.webp$")


class Uploader(Protocol):
    """The signed-in user an upload belongs to: accounts.User (the core imports no domain app)."""

    @property
    def pk(self) -> int: ...

    @property
    def role(self) -> str: ...


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
def _client_for(endpoint: str, access_key: str, secret_key: str, region: str, timeout: float) -> S3Client:
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


def client() -> S3Client:
    """The boto3 S3 client for the configured bucket (settings are read on every call)."""
    return _client_for(
        settings.S3_ENDPOINT_URL,
        settings.S3_ACCESS_KEY_ID,
        settings.S3_SECRET_ACCESS_KEY,
        settings.S3_REGION,
        float(settings.S3_TIMEOUT_SECONDS),
    )


# --- keys and URLs --------------------------------------------------------------------------


def bucket_name(*, private: bool) -> str:
    return settings.S3_PRIVATE_BUCKET if private else settings.S3_BUCKET


def public_url(key: str) -> str:
    """The unsigned public URL of a key (R2 custom domain or r2.dev; locally the stand-in)."""
    return f"{settings.S3_PUBLIC_BASE_URL}/{key}"


def private_url(key: str) -> str:
    """The bare URL of an object in the private bucket: it names the object, and is refused
    without a signature (an upload's ``publicUrl``; a private image's stored URL)."""
    return f"{settings.S3_ENDPOINT_URL.rstrip('/')}/{settings.S3_PRIVATE_BUCKET}/{key}"


def variant_key(key: str, width: int) -> str:
    """The key of the `width`-px WebP variant of the image at `key`: it changes when the image does."""
    return f"{key}.w{int(width)}.webp"


def make_key(*, folder: str, user_id: int, content_type: str) -> str:
    return f"{folder}/{int(user_id)}/{uuid.uuid4().hex}.{ALLOWED_TYPES[content_type][0]}"


def _key_after(url: str, base: str) -> str | None:
    if not isinstance(url, str) or not url.startswith(base + "/"):
        return None
    key = url[len(base) + 1 :]
    return key if _KEY_RE.fullmatch(key) else None


def key_from_public_url(url: str) -> str | None:
    """The key behind one of our public URLs, or None for anything else.

    Only keys this module makes are accepted, so no query, fragment, encoding or ``..`` trick
    can point a record at another object.
    """
    return _key_after(url, settings.S3_PUBLIC_BASE_URL)


def key_from_upload_url(url: str) -> str | None:
    """The key behind an upload's URL (``private_url``, the presign's ``publicUrl``), or None."""
    return _key_after(url, private_url("")[:-1])


def owned_key_from_url(url: str, *, folder: str, user: Uploader, field: str = "imageUrl") -> str:
    """The key behind `url` if it is an upload URL of ours under ``{folder}/{user.id}/``; else 400."""
    key = key_from_upload_url(url)
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


# --- reads ----------------------------------------------------------------------------------


def _unavailable(action: str, key: str, exc: Exception) -> UpstreamUnavailable:
    logger.warning("storage %s failed for %s: %s", action, key, exc)
    return UpstreamUnavailable(_("The image storage is not answering; try again shortly."), code="storage_unavailable")


def head_object(key: str, *, private: bool = False) -> StoredObject | None:
    """The object's size, type and metadata, or None when there is no such object."""
    try:
        r = client().head_object(Bucket=bucket_name(private=private), Key=key)
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


def attached_key(upload_key: str, *, ext: str | None = None) -> str:
    """The key a record keeps for an upload: same folder and owner, a name derived from the upload's
    key (so one upload maps to one attached object) that no presigned URL was ever made for, and
    the extension of the format served (`ext`, default the upload's)."""
    folder, user_id, rest = upload_key.split("/", 2)
    name = uuid.uuid5(uuid.NAMESPACE_URL, f"inkbook-attached:{upload_key}").hex
    return f"{folder}/{user_id}/{name}.{ext or rest.rsplit('.', 1)[1]}"


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
        raise _unavailable("GET", key, exc) from exc


def read_object(key: str, *, private: bool, max_bytes: int) -> bytes | None:
    """The whole object (at most `max_bytes`: a longer one raises ValueError), or None when missing."""
    try:
        r = client().get_object(Bucket=bucket_name(private=private), Key=key)
        body = r["Body"].read(max_bytes + 1)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise _unavailable("GET", key, exc) from exc
    except BotoCoreError as exc:
        raise _unavailable("GET", key, exc) from exc
    if len(body) > max_bytes:
        raise ValueError(f"{key} is larger than {max_bytes} bytes")
    return body


# --- bucket configuration -------------------------------------------------------------------


def cors_rules(origins: list[str]) -> CORSConfigurationTypeDef:
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
    """Replace both buckets' CORS configuration (``manage.py configure_bucket_cors``): browsers PUT
    uploads to the private one and read images from both."""
    for bucket in (settings.S3_BUCKET, settings.S3_PRIVATE_BUCKET):
        try:
            client().put_bucket_cors(Bucket=bucket, CORSConfiguration=cors_rules(origins))
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable("PutBucketCors", bucket, exc) from exc


# --- writes ---------------------------------------------------------------------------------


def put_object(
    *,
    key: str,
    body: bytes,
    content_type: str,
    metadata: dict[str, str] | None = None,
    private: bool = False,
    cache_control: str | None = None,
) -> None:
    """Upload bytes from the server (seed data, tests); user uploads go through presigned URLs."""
    params: PutObjectRequestTypeDef = {
        "Bucket": bucket_name(private=private),
        "Key": key,
        "Body": body,
        "ContentType": content_type,
        "Metadata": metadata or {},
    }
    if cache_control:
        params["CacheControl"] = cache_control
    try:
        client().put_object(**params)
    except (ClientError, BotoCoreError) as exc:
        raise _unavailable("PUT", key, exc) from exc


def delete_object(key: str, *, private: bool = False) -> None:
    """DELETES DATA: remove one object now. Deleting a missing key succeeds (S3 semantics)."""
    try:
        client().delete_object(Bucket=bucket_name(private=private), Key=key)
    except (ClientError, BotoCoreError) as exc:
        raise _unavailable("DELETE", key, exc) from exc


def delete_objects_everywhere(keys: list[str]) -> None:
    """DELETES DATA: remove `keys` from both buckets now (one DeleteObjects call per bucket and
    1,000 keys); missing keys succeed. Raises UpstreamUnavailable when a key could not be removed."""
    for private in (False, True):
        bucket = bucket_name(private=private)
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            try:
                r = client().delete_objects(
                    Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
                )
            except (ClientError, BotoCoreError) as exc:
                raise _unavailable("DELETE", chunk[0], exc) from exc
            errors = [e for e in r.get("Errors", []) if e.get("Code") not in ("NoSuchKey", "404")]
            if errors:
                raise _unavailable("DELETE", errors[0].get("Key", chunk[0]), RuntimeError(errors[0].get("Message")))


# Core imports no domain app: the apps whose records name bucket objects register here in their
# AppConfig.ready. Each holder maps candidate keys to the ones its records still name.
key_holders: Hook[Callable[[list[str]], Iterable[str]]] = Hook("uploads.key_holders")


def object_delete_later(key: str) -> None:
    """DELETES DATA after commit: ``objects_delete_later([key])``."""
    objects_delete_later([key])


def objects_delete_later(keys: Iterable[str]) -> None:
    """DELETES DATA after commit: call inside the transaction that deletes the record naming `keys`.

    The queue rows are written with the record's delete, so a crash or a bucket outage can only
    delay the objects' removal (``manage.py retry_object_deletes``), never forget it; and the
    record's delete never waits on, or fails because of, the bucket.
    """
    keys = list(dict.fromkeys(k for k in keys if k))
    if not keys:
        return
    PendingObjectDeletion.objects.bulk_create([PendingObjectDeletion(key=k) for k in keys], ignore_conflicts=True)
    transaction.on_commit(lambda: objects_delete_attempt(keys), robust=True)


def object_delete_attempt(key: str) -> bool:
    """DELETES DATA: ``objects_delete_attempt([key])``."""
    return objects_delete_attempt([key])


def objects_delete_attempt(keys: list[str]) -> bool:
    """DELETES DATA: try to remove queued objects from both buckets; True when they are gone (and
    dequeued). A record's key names one object in whichever bucket holds it (a private image, or
    one written before the buckets were split), and no other object shares its name."""
    from django.db.models import F

    try:
        delete_objects_everywhere(keys)
    except UpstreamUnavailable as exc:
        cause = exc.__cause__ or exc
        PendingObjectDeletion.objects.filter(key__in=keys).update(
            attempts=F("attempts") + 1, last_error=f"{type(cause).__name__}: {cause}"[:2000], updated_at=timezone.now()
        )
        logger.warning("%s object(s) not deleted (first %s); queued for retry_object_deletes", len(keys), keys[0])
        return False
    PendingObjectDeletion.objects.filter(key__in=keys).delete()
    return True


def retry_pending_deletions(*, limit: int | None = None) -> tuple[int, int]:
    """DELETES DATA: retry every queued object delete, oldest attempt first → (deleted, still failing)."""
    queued = PendingObjectDeletion.objects.order_by("updated_at", "id").values_list("key", flat=True)
    keys = list(queued[:limit] if limit else queued)
    done = failed = 0
    for start in range(0, len(keys), 500):  # one DeleteObjects call per bucket and batch
        batch = keys[start : start + 500]
        if objects_delete_attempt(batch):
            done += len(batch)
        else:
            failed += len(batch)
    return done, failed


def _held(keys: list[str]) -> set[str]:
    """Those of `keys` (record keys or their variants' keys) still named by a record or queued for
    deletion (the queue removes those)."""
    images = {k: (m.group("image") if (m := _VARIANT_RE.fullmatch(k)) else k) for k in keys}
    candidates = sorted(set(images.values()))
    used = set(PendingObjectDeletion.objects.filter(key__in=candidates).values_list("key", flat=True))
    for holder in key_holders.providers():
        used |= set(holder(candidates))
    return {k for k, image in images.items() if image in used}


def sweep_unattached(*, older_than: timedelta, dry_run: bool = False) -> SweepReport:
    """DELETES DATA: remove objects no record ever pointed at, once older than `older_than`: an
    upload that was never attached (private bucket), or an image or variant left behind by an
    attach or a job that stopped half-way (either bucket).

    Only keys this module makes, under the upload folders, are considered; an object is kept when
    a record names it (or, for a variant, its image) or when it is already queued in
    PendingObjectDeletion (the queue deletes it). `older_than` must exceed
    UPLOAD_ATTACH_WITHIN_HOURS, so an upload being attached right now is never swept. Lists the
    buckets page by page (1,000 keys per request, one database query per page and holder).
    """
    if older_than <= timedelta(hours=settings.UPLOAD_ATTACH_WITHIN_HOURS):
        raise ValueError("older_than must exceed UPLOAD_ATTACH_WITHIN_HOURS (uploads may still be attached)")
    cutoff = timezone.now() - older_than
    scanned = deleted = attached = recent = foreign = 0
    paginator = client().get_paginator("list_objects_v2")
    try:
        for private in (True, False):
            bucket = bucket_name(private=private)
            for folder in FOLDERS:
                for page in paginator.paginate(Bucket=bucket, Prefix=f"{folder}/"):
                    old = []
                    for obj in page.get("Contents", []):
                        scanned += 1
                        key = obj["Key"]
                        variant = _VARIANT_RE.fullmatch(key)
                        if not _KEY_RE.match(variant.group("image") if variant else key):
                            foreign += 1
                        elif obj["LastModified"] >= cutoff:
                            recent += 1
                        else:
                            old.append(key)
                    used = _held(old) if old else set()
                    attached += len(used)
                    for key in old:
                        if key in used:
                            continue
                        if not dry_run:
                            delete_object(key, private=private)
                            logger.info("swept unattached object %s", key)
                        deleted += 1
    except (ClientError, BotoCoreError) as exc:
        raise _unavailable("LIST", settings.S3_BUCKET, exc) from exc
    return SweepReport(scanned=scanned, deleted=deleted, attached=attached, recent=recent, foreign=foreign)
