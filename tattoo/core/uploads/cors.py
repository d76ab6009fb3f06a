"""The buckets' CORS configuration (``manage.py configure_bucket_cors``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from tattoo.core.uploads.keys import META_ORIGINAL_FILENAME, META_UPLOADED_BY
from tattoo.core.uploads.s3 import client, unavailable

if TYPE_CHECKING:
    from types_boto3_s3.type_defs import CORSConfigurationTypeDef


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
            raise unavailable("PutBucketCors", bucket, exc) from exc
