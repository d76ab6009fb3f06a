"""Remove uploads that were never attached to a record: the jobs worker's daily
tattoo.sweep_uploads run by hand."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tattoo.core import tasks
from tattoo.core.uploads import SweepReport

DEFAULT_HOURS = 24


class Command(BaseCommand):
    help = (
        "DELETES DATA: remove bucket objects under the upload folders that no portfolio item or idea "
        f"points at, once older than --older-than-hours (default {DEFAULT_HOURS}; it must exceed "
        "UPLOAD_ATTACH_WITHIN_HOURS). --dry-run only counts. Safe to run from several hosts at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=int, default=DEFAULT_HOURS)
        parser.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")

    def handle(self, *args: Any, older_than_hours: int = DEFAULT_HOURS, dry_run: bool = False, **options: Any) -> None:
        if older_than_hours <= settings.UPLOAD_ATTACH_WITHIN_HOURS:
            raise CommandError(
                f"--older-than-hours must exceed UPLOAD_ATTACH_WITHIN_HOURS ({settings.UPLOAD_ATTACH_WITHIN_HOURS}): "
                "younger uploads may still be attached."
            )
        report = SweepReport(**tasks.sweep_uploads(hours=older_than_hours, dry_run=dry_run))
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(
            f"{verb} {report.deleted} unattached upload(s) older than {older_than_hours} h; scanned {report.scanned}, "
            f"attached {report.attached}, recent {report.recent}, foreign keys left alone {report.foreign}"
        )
