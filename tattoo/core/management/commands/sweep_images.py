"""Re-make missing image variants (and re-encode images attached before the pipeline) in the
foreground: the jobs worker's tattoo.sweep_images (every 10 minutes) by hand (docs/images.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tattoo.core import images
from tattoo.core.errors import UpstreamUnavailable


class Command(BaseCommand):
    help = (
        "Make the missing WebP variants of attached images, re-encoding images attached before "
        "metadata stripping (idea images move to the private bucket). Runs here, not in the job queue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check-bucket",
            action="store_true",
            help="also list the buckets and re-make variants recorded but missing there (slow on a big bucket)",
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="enqueue variants jobs for the jobs worker instead of working here"
        )

    def handle(self, *args: Any, check_bucket: bool = False, enqueue: bool = False, **options: Any) -> None:
        try:
            report = images.images_sweep(check_bucket=check_bucket, enqueue=enqueue)
        except UpstreamUnavailable as exc:
            raise CommandError(f"the image storage did not answer: {exc.__cause__ or exc}") from exc
        self.stdout.write(
            f"{report.found} image(s) needed work; {report.made} variant(s) made, {report.enqueued} job(s) enqueued"
            + (f"; {report.missing_in_bucket} with objects missing from the bucket" if check_bucket else "")
        )
