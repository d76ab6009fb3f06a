"""Demo data: an admin, one approved artist with a portfolio item and weekly hours, one customer
and one booking. Running it again changes nothing."""

from __future__ import annotations

import os
import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, Tattooist, User
from bookings.models import Availability, Booking, BookingEvent, BookingStatus
from portfolio.models import PortfolioItem

DEFAULTS = {
    "SEED_ADMIN_EMAIL": "admin@inkbook.test",
    "SEED_ADMIN_PASSWORD": "inkbook-admin-pass",
    "SEED_ARTIST_EMAIL": "artist@inkbook.test",
    "SEED_ARTIST_PASSWORD": "inkbook-artist-pass",
    "SEED_CUSTOMER_EMAIL": "customer@inkbook.test",
    "SEED_CUSTOMER_PASSWORD": "inkbook-customer-pass",
}
SEED_NOTE = "Seed booking: forearm rose, black and grey."
SEED_IMAGE_KEY = "portfolio/seed/rose.png"


def setting(name: str) -> str:
    return os.environ.get(name) or DEFAULTS[name]


def ensure_user(email: str, password: str, name: str, role: str) -> tuple[User, bool]:
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user, False
    return User.objects.create_user(email=email, password=password, name=name, role=role), True


class Command(BaseCommand):
    help = "Create the demo admin, artist, customer, portfolio item, weekly hours and booking (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = self._seed()
        self.stdout.write(
            self.style.SUCCESS(
                "Seed data ready" + (" (created: " + ", ".join(created) + ")" if created else " (nothing to do)")
            )
        )
        for role in ("ADMIN", "ARTIST", "CUSTOMER"):
            email, password = setting(f"SEED_{role}_EMAIL"), setting(f"SEED_{role}_PASSWORD")
            shown = password if os.environ.get(f"SEED_{role}_PASSWORD") is None else f"(from SEED_{role}_PASSWORD)"
            self.stdout.write(f"  {role.lower():9} {email}  {shown}")

    def _seed(self) -> list[str]:
        created: list[str] = []
        admin, new = ensure_user(
            setting("SEED_ADMIN_EMAIL"), setting("SEED_ADMIN_PASSWORD"), "Inkbook Staff", Role.ADMIN
        )
        if new:
            created.append("admin")
        artist_user, new = ensure_user(
            setting("SEED_ARTIST_EMAIL"), setting("SEED_ARTIST_PASSWORD"), "Saraa Bold", Role.TATTOOIST
        )
        if new:
            created.append("artist")
        artist, new = Tattooist.objects.get_or_create(
            user=artist_user,
            defaults={
                "bio": "Fine-line and black-and-grey realism in Ulaanbaatar. Ten years behind the machine.",
                "approved": True,
                "approved_at": timezone.now(),
                "approved_by": admin,
                "approval_note": "seed",
                "timezone": "Asia/Ulaanbaatar",
                "session_minutes": 120,
                "min_deposit": Decimal("50000.00"),
            },
        )
        customer, new = ensure_user(
            setting("SEED_CUSTOMER_EMAIL"), setting("SEED_CUSTOMER_PASSWORD"), "Bat Erdene", Role.CUSTOMER
        )
        if new:
            created.append("customer")
        if not PortfolioItem.objects.filter(tattooist=artist).exists():
            from tattoo import uploads_seed

            PortfolioItem.objects.create(
                tattooist=artist,
                image_url=uploads_seed.public_url(SEED_IMAGE_KEY),
                image_key=SEED_IMAGE_KEY,
                description="Black-and-grey rose on the forearm, healed.",
                style_tags=["blackwork", "fine-line", "floral"],
            )
            created.append("portfolio item")
        if not Availability.objects.filter(tattooist=artist).exists():
            Availability.objects.bulk_create(
                Availability(tattooist=artist, day=day, start_time=time(10), end_time=time(18)) for day in range(1, 6)
            )
            Availability.objects.create(tattooist=artist, day=6, start_time=time(11), end_time=time(15))
            created.append("availability")
        if not Booking.objects.filter(customer=customer, tattooist=artist, notes=SEED_NOTE).exists():
            tz = zoneinfo.ZoneInfo(artist.timezone)
            day = timezone.localdate(timezone=tz) + timedelta(days=14)
            while day.isoweekday() > 5:  # a weekday, inside the seeded hours
                day += timedelta(days=1)
            slot = datetime.combine(day, time(10), tzinfo=tz)
            booking = Booking.objects.create(
                customer=customer,
                tattooist=artist,
                slot=slot,
                ends_at=slot + timedelta(minutes=artist.session_minutes),
                status=BookingStatus.CONFIRMED,
                deposit_amount=artist.min_deposit,
                notes=SEED_NOTE,
            )
            BookingEvent.objects.create(
                booking=booking, actor=admin, from_status="", to_status=BookingStatus.CONFIRMED, note="seeded"
            )
            created.append("booking")
        return created
