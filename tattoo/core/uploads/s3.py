"""The boto3 S3 client both buckets are reached through, which bucket a call acts on, and the one
error every failed bucket call becomes (tattoo/core/uploads/__init__.py has the whole picture)."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from django.conf import settings
from django.utils.translation import gettext as _

from tattoo.core.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

logger = logging.getLogger("inkbook.uploads")


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


def bucket_name(*, private: bool) -> str:
    return settings.S3_PRIVATE_BUCKET if private else settings.S3_BUCKET


def unavailable(action: str, key: str, exc: Exception) -> UpstreamUnavailable:
    logger.warning("storage %s failed for %s: %s", action, key, exc)
    return UpstreamUnavailable(_("The image storage is not answering; try again shortly."), code="storage_unavailable")
