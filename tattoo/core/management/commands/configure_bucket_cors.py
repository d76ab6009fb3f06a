"""Set the buckets' CORS rule so browsers on the site can PUT to presigned URLs (run once per bucket pair)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tattoo.core import uploads
from tattoo.core.errors import UpstreamUnavailable


class Command(BaseCommand):
    help = "Replace both buckets' CORS configuration: PUT/GET/HEAD from the site's origin(s) with the signed headers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--origin",
            action="append",
            dest="origins",
            help="an allowed origin (scheme://host[:port]); repeat for several. Default: SITE_URL",
        )

    def handle(self, *args: Any, origins: list[str] | None = None, **options: Any) -> None:
        origins = origins or [settings.SITE_URL]
        try:
            uploads.put_bucket_cors(origins)
        except UpstreamUnavailable as exc:
            raise CommandError(f"could not set CORS on the buckets: {exc.__cause__ or exc}") from exc
        buckets = f"{settings.S3_BUCKET} and {settings.S3_PRIVATE_BUCKET}"
        self.stdout.write(f"CORS on buckets {buckets}: {', '.join(origins)}")
