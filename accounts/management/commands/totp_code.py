"""Print a staff member's current one-time code: for the local demo only (DEBUG)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.models import normalize_email


class Command(BaseCommand):
    help = "DEBUG only: print the current 6-digit code of a staff account's TOTP device (the seeded demo staff)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        if not settings.DEBUG:
            raise CommandError("totp_code works only with DEBUG=true: real staff read the code from their app.")
        device = TOTPDevice.objects.filter(user__email=normalize_email(email), confirmed=True).first()
        if device is None:
            raise CommandError(f"No TOTP device for {email!r}; enrol one with `manage.py totp_device`.")
        self.stdout.write(mfa.current_code(device))
