from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tattoo.core import tasks
from tattoo.core.idempotency import KEY_LIFETIME

MIN_HOURS = int(KEY_LIFETIME.total_seconds() // 3600)


class Command(BaseCommand):
    help = (
        "Delete Idempotency-Key records older than --hours (default and minimum 24: clients are promised "
        "at least a day of replays): the jobs worker's daily tattoo.purge_idempotency_keys run by hand."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=MIN_HOURS, help="Keep keys younger than this.")

    def handle(self, *args: Any, hours: int = MIN_HOURS, **options: Any) -> None:
        if hours < MIN_HOURS:
            raise CommandError(f"--hours must be at least {MIN_HOURS}: keys are kept at least a day.")
        deleted = tasks.purge_idempotency_keys(hours=hours)
        self.stdout.write(f"deleted {deleted} idempotency key(s) older than {hours} h")
