"""Writes and deletes: ``put_object`` (server-side upload, used by the seed command), deleting
objects now, and deleting them once a record's delete commits (the ``PendingObjectDeletion``
queue and its retries). Every delete here DELETES DATA (the buckets keep no versions)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError
from django.db import transaction
from django.utils import timezone

from tattoo.core.errors import UpstreamUnavailable
from tattoo.core.models import PendingObjectDeletion
from tattoo.core.uploads.s3 import bucket_name, client, unavailable

if TYPE_CHECKING:
    from types_boto3_s3.type_defs import PutObjectRequestTypeDef

logger = logging.getLogger("inkbook.uploads")


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
        raise unavailable("PUT", key, exc) from exc


def delete_object(key: str, *, private: bool = False) -> None:
    """DELETES DATA: remove one object now. Deleting a missing key succeeds (S3 semantics)."""
    try:
        client().delete_object(Bucket=bucket_name(private=private), Key=key)
    except (ClientError, BotoCoreError) as exc:
        raise unavailable("DELETE", key, exc) from exc


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
                raise unavailable("DELETE", chunk[0], exc) from exc
            errors = [e for e in r.get("Errors", []) if e.get("Code") not in ("NoSuchKey", "404")]
            if errors:
                raise unavailable("DELETE", errors[0].get("Key", chunk[0]), RuntimeError(errors[0].get("Message")))


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
