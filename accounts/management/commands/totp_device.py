"""Enrol a staff member's authenticator app (staff cannot sign in without one)."""

from __future__ import annotations

import base64

from django.core.management.base import BaseCommand, CommandError

from accounts import mfa
from accounts.models import User, normalize_email


class Command(BaseCommand):
    help = (
        "Give a staff account a new TOTP device (replacing any old one) and print its otpauth:// URI "
        "and secret for an authenticator app. Staff sign-in needs the app's 6-digit code from then on."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        user = User.objects.filter(email=normalize_email(email)).first()
        if user is None:
            raise CommandError(f"No account with the email {email!r}.")
        if not mfa.requires_otp(user):
            raise CommandError("Only staff (admin role) accounts use a one-time code.")
        device = mfa.enrol(user)
        self.stdout.write(f"TOTP device enrolled for {user.email}. Add it to an authenticator app:")
        self.stdout.write(f"  URI:    {device.config_url}")
        self.stdout.write(f"  secret: {base64.b32encode(device.bin_key).decode()}")
