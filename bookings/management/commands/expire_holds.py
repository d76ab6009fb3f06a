from django.core.management.base import BaseCommand

from bookings.services import booking_expire_holds


class Command(BaseCommand):
    help = (
        "Expire pending, unpaid bookings whose hold ran out, freeing their slots. Safe to run from "
        "several processes at once; run it every minute or so (cron, a scheduler, a loop)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many bookings per run.")

    def handle(self, *args, limit: int, **options):
        report = booking_expire_holds(limit=limit)
        self.stdout.write(f"expired {report.expired} hold(s); kept {report.kept} for a later run")
