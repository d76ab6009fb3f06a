"""Move every signed consent to the first key of FIELD_ENCRYPTION_KEYS (docs/deploy.md, "Consent keys").

    python manage.py reencrypt_consents

Run it after putting a new key first ("new,old"); once it reports nothing left under another key,
the old key can be dropped from the list. Safe to run again and beside the web app (one row lock
per consent). Exits 1 when a consent no configured key opens (listed by id, never changed).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from bookings.consent import consents_reencrypt
from bookings.models import ConsentRecord
from tattoo.core import crypto


class Command(BaseCommand):
    help = "Re-encrypt signed consents under the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        report = consents_reencrypt()
        left = ConsentRecord.objects.exclude(key_id=crypto.primary_key_id()).count()
        self.stdout.write(f"re-encrypted {report.moved} consent(s); {left} left under another key")
        if report.unreadable:
            raise CommandError(
                "no configured key opens the consents "
                + ", ".join(str(pk) for pk in report.unreadable)
                + ": put the key they were sealed with back into FIELD_ENCRYPTION_KEYS"
            )
