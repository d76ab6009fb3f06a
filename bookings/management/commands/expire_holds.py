from django.core.management.base import BaseCommand

from bookings import tasks


class Command(BaseCommand):
    help = (
        "Expire pending, unpaid bookings whose hold ran out, freeing their slots: the jobs worker's "
        "minute sweep (bookings.expire_holds) run by hand, without its grace period. Safe next to "
        "running workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many bookings per run.")

    def handle(self, *args, limit: int, **options):
        report = tasks.expire_holds(overdue_by_seconds=0, limit=limit)
        self.stdout.write(f"expired {report['expired']} hold(s); kept {report['kept']} for a later run")
