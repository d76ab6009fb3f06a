"""Retry bucket deletes that failed when their record was deleted (run it from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tattoo import uploads


class Command(BaseCommand):
    help = "DELETES DATA: remove bucket objects queued in PendingObjectDeletion. Exits 1 while some still fail."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="at most this many objects in one run")

    def handle(self, *args, limit=None, **options):
        done, failed = uploads.retry_pending_deletions(limit=limit)
        self.stdout.write(f"deleted {done} queued object(s); {failed} still failing")
        if failed:
            raise CommandError(f"{failed} object delete(s) still failing; they stay queued")
