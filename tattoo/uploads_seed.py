"""Placeholder until tattoo/uploads.py exists: the public URL of a bucket key."""

from django.conf import settings


def public_url(key: str) -> str:
    return f"{settings.S3_PUBLIC_BASE_URL}/{key}"
