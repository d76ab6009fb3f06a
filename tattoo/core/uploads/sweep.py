"""The sweep of objects no record names (``manage.py sweep_uploads``, the job
``tattoo.sweep_uploads``): DELETES DATA. The apps whose records name objects say which through the
``key_holders`` hook."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.utils import timezone

from tattoo.core.hooks import Hook
from tattoo.core.models import PendingObjectDeletion
from tattoo.core.uploads.keys import FOLDERS, KEY_RE, VARIANT_RE
from tattoo.core.uploads.s3 import bucket_name, client, unavailable
from tattoo.core.uploads.writes import delete_object

logger = logging.getLogger("inkbook.uploads")


@dataclass(frozen=True)
class SweepReport:
    scanned: int  # objects under the upload folders
    deleted: int  # never attached, older than the grace period (would be, with dry_run)
    attached: int  # old enough but referenced by a record (or queued for deletion already)
    recent: int  # younger than the grace period: an upload may still be attached
    foreign: int  # keys this package never makes: left alone


# Core imports no domain app: the apps whose records name bucket objects register here in their
# AppConfig.ready. Each holder maps candidate keys to the ones its records still name.
key_holders: Hook[Callable[[list[str]], Iterable[str]]] = Hook("uploads.key_holders")


def _held(keys: list[str]) -> set[str]:
    """Those of `keys` (record keys or their variants' keys) still named by a record or queued for
    deletion (the queue removes those)."""
    images = {k: (m.group("image") if (m := VARIANT_RE.fullmatch(k)) else k) for k in keys}
    candidates = sorted(set(images.values()))
    used = set(PendingObjectDeletion.objects.filter(key__in=candidates).values_list("key", flat=True))
    for holder in key_holders.providers():
        used |= set(holder(candidates))
    return {k for k, image in images.items() if image in used}


def sweep_unattached(*, older_than: timedelta, dry_run: bool = False) -> SweepReport:
    """DELETES DATA: remove objects no record ever pointed at, once older than `older_than`: an
    upload that was never attached (private bucket), or an image or variant left behind by an
    attach or a job that stopped half-way (either bucket).

    Only keys this package makes, under the upload folders, are considered; an object is kept when
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
                        variant = VARIANT_RE.fullmatch(key)
                        if not KEY_RE.match(variant.group("image") if variant else key):
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
        raise unavailable("LIST", settings.S3_BUCKET, exc) from exc
    return SweepReport(scanned=scanned, deleted=deleted, attached=attached, recent=recent, foreign=foreign)
