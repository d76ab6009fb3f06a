"""Retry bucket deletes that failed when their record was deleted: the jobs worker's
tattoo.retry_object_deletes (every 10 minutes) run by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tattoo.core import tasks


class Command(BaseCommand):
    help = "DELETES DATA: remove bucket objects queued in PendingObjectDeletion. Exits 1 while some still fail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="at most this many objects in one run")

    def handle(self, *args: Any, limit: int | None = None, **options: Any) -> None:
        report = tasks.retry_object_deletes(limit=limit)
        done, failed = report["deleted"], report["failed"]
        self.stdout.write(f"deleted {done} queued object(s); {failed} still failing")
        if failed:
            raise CommandError(f"{failed} object delete(s) still failing; they stay queued")
