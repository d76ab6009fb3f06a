"""Demo data: an admin, one approved artist with a portfolio and weekly hours, one customer and one
booking (made through the booking services, as a customer and the artist would); in DEBUG also
about a dozen more approved artists with profiles, hours and generated portfolio pictures
(tattoo/site/demo.py). Running it again changes nothing.

The defaults below (a staff password and TOTP secret printed in the README) are for DEBUG only:
outside DEBUG the command refuses unless `--allow-production` is given and every credential is
set explicitly to something other than its published default (docs/security.md).
"""

from __future__ import annotations

import io
import logging
import os
import uuid
import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.models import Role, Tattooist, User, normalize_email
from bookings.models import Availability, Booking, BookingStatus, TimeOff
from bookings.selectors import booking_bounds, tattooist_slots
from bookings.services.create import booking_create
from bookings.services.moves import booking_change_status
from portfolio.models import PortfolioItem
from tattoo.core import images, uploads
from tattoo.core.errors import UpstreamUnavailable
from tattoo.site import demo
from tattoo.site.demo_images import demo_png

logger = logging.getLogger("inkbook.seed")

DEFAULTS = {
    "SEED_ADMIN_EMAIL": "admin@inkbook.test",
    "SEED_ADMIN_PASSWORD": "inkbook-admin-pass",
    "SEED_ARTIST_EMAIL": "artist@inkbook.test",
    "SEED_ARTIST_PASSWORD": "inkbook-artist-pass",
    "SEED_CUSTOMER_EMAIL": "customer@inkbook.test",
    "SEED_CUSTOMER_PASSWORD": "inkbook-customer-pass",
    # The demo staff member's TOTP key (hex; base32 JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP for an app).
    # Demo data only, like the passwords above: production staff enrol with `manage.py totp_device`.
    "SEED_ADMIN_TOTP_KEY": "48656c6c6f21deadbeef48656c6c6f21deadbeef",
}
SEED_NOTE = "Seed booking: forearm rose, black and grey."
# A fixed name under the artist's own prefix, in the shape tattoo.core.uploads makes, so the artist can
# manage the seeded item like any other.
SEED_IMAGE_NAME = uuid.uuid5(uuid.NAMESPACE_URL, "inkbook-seed/portfolio/rose").hex


SEED_IMAGE_SIZE = 96


def seed_image_key(artist_user: User) -> str:
    return f"portfolio/{artist_user.pk}/{SEED_IMAGE_NAME}.png"


def rose_png() -> bytes:
    """A small generated picture for the seeded portfolio item."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (SEED_IMAGE_SIZE, SEED_IMAGE_SIZE), (245, 240, 232))
    draw = ImageDraw.Draw(image)
    draw.line([(48, 52), (48, 92)], fill=(40, 90, 40), width=4)
    draw.ellipse([(30, 58), (46, 70)], fill=(50, 110, 50))
    for r, color in ((30, (120, 20, 30)), (21, (165, 30, 45)), (12, (200, 50, 60)), (5, (120, 20, 30))):
        draw.ellipse([(48 - r, 34 - r), (48 + r, 34 + r)], fill=color, outline=(60, 10, 15))
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def setting(name: str) -> str:
    return os.environ.get(name) or DEFAULTS[name]


def ensure_user(email: str, password: str, name: str, role: str) -> tuple[User, bool]:
    user = User.objects.filter(email=normalize_email(email)).first()
    if user:
        if user.email_verified_at is None:  # seeded before addresses were verified
            user.email_verified_at = timezone.now()
            User.objects.filter(pk=user.pk).update(email_verified_at=user.email_verified_at)
        return user, False
    # Demo users own their (made-up) addresses: verified, so the README walkthrough books at once.
    user = User.objects.create_user(
        email=email, password=password, name=name, role=role, email_verified_at=timezone.now()
    )
    return user, True


def seed_booking(*, customer: User, artist: Tattooist) -> Booking:
    """The demo booking, made as the product makes one: the customer books the first start the slot
    rule offers two weeks ahead (or as far as the horizon allows) with the artist's minimum deposit
    (a pending hold, its expiry job and mails), then the artist confirms it by hand (its deposit
    still to pay). Every row, the audit trail and the jobs included, is the services' own."""
    now = timezone.now()
    _notice, horizon = booking_bounds()
    tz = zoneinfo.ZoneInfo(artist.timezone)
    # from the artist's midnight two weeks ahead: the opening of their first working day then
    day = timezone.localdate(now, timezone=tz) + min(timedelta(days=14), horizon - timedelta(days=2))
    start = datetime.combine(day, time.min, tzinfo=tz)
    slots = tattooist_slots(tattooist=artist, start=start, end=now + horizon, now=now).starts
    if not slots:
        raise CommandError(f"the seeded artist {artist.user.email} has no free start to book")
    booking = booking_create(
        customer=customer,
        tattooist_id=artist.pk,
        slot=slots[0],
        deposit_amount=artist.min_deposit,
        notes=SEED_NOTE,
        now=now,
    )
    return booking_change_status(booking_id=booking.pk, actor=artist.user, to_status=BookingStatus.CONFIRMED)


class Command(BaseCommand):
    help = "Create the demo admin, artist, customer, portfolio item, weekly hours and booking (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed outside DEBUG; every SEED_* credential must then be set and differ from the demo defaults.",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG:
            if not allow_production:
                raise CommandError(
                    "seed creates a staff account with the README's published password and TOTP secret; it "
                    "refuses outside DEBUG. Pass --allow-production with every SEED_* credential set."
                )
            published = [name for name in DEFAULTS if setting(name) == DEFAULTS[name]]
            if published:
                raise CommandError(
                    "--allow-production needs explicit credentials; these are unset or the published demo "
                    "values: " + ", ".join(published)
                )
        with transaction.atomic():
            created = self._seed()
            if settings.DEBUG:  # made-up artists never go into a real marketplace
                created += self._seed_demo_artists()
        # After commit: never hold a transaction open across a call to the bucket.
        if self._upload_seed_image():
            created.append("portfolio image")
        if settings.DEBUG and (pictures := self._upload_demo_images()):
            created.append(f"{pictures} demo pictures")
        self.stdout.write(
            self.style.SUCCESS(
                "Seed data ready" + (" (created: " + ", ".join(created) + ")" if created else " (nothing to do)")
            )
        )
        for role in ("ADMIN", "ARTIST", "CUSTOMER"):
            email, password = setting(f"SEED_{role}_EMAIL"), setting(f"SEED_{role}_PASSWORD")
            shown = password if os.environ.get(f"SEED_{role}_PASSWORD") is None else f"(from SEED_{role}_PASSWORD)"
            self.stdout.write(f"  {role.lower():9} {email}  {shown}")
        if settings.DEBUG:
            code_command = f"python manage.py totp_code {setting('SEED_ADMIN_EMAIL')}"
            self.stdout.write(f"  staff one-time code: {code_command} (DEBUG only)")

    def _seed(self) -> list[str]:
        created: list[str] = []
        admin, new = ensure_user(
            setting("SEED_ADMIN_EMAIL"), setting("SEED_ADMIN_PASSWORD"), "Inkbook Staff", Role.ADMIN
        )
        if new:
            created.append("admin")
        if not TOTPDevice.objects.filter(user=admin).exists():
            mfa.enrol(admin, key_hex=setting("SEED_ADMIN_TOTP_KEY"), name="demo authenticator")
            created.append("admin TOTP device")
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
            key = seed_image_key(artist_user)
            PortfolioItem.objects.create(
                tattooist=artist,
                image_url=uploads.public_url(key),
                image_key=key,
                # made here, without metadata; narrower than the smallest variant, so it needs none
                image_width=SEED_IMAGE_SIZE,
                image_height=SEED_IMAGE_SIZE,
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
            seed_booking(customer=customer, artist=artist)
            created.append("booking")
        return created

    def _seed_demo_artists(self) -> list[str]:
        created: list[str] = []
        admin = User.objects.get(email=normalize_email(setting("SEED_ADMIN_EMAIL")))
        main = Tattooist.objects.get(user__email=normalize_email(setting("SEED_ARTIST_EMAIL")))
        if not main.studio_name:  # an artist seeded before profiles existed gets one
            for name, value in demo.MAIN_PROFILE.items():
                setattr(main, name, value)
            main.save()
            created.append("artist profile")
        for index, (_motif, description, tags) in enumerate(demo.MAIN_WORKS, start=1):
            if self._demo_item(main, "main", index, description, tags):
                created.append("portfolio item")
        tz = zoneinfo.ZoneInfo("Asia/Ulaanbaatar")
        today = timezone.localdate(timezone=tz)
        for spec in demo.ARTISTS:
            user, new = ensure_user(spec.email, None, spec.name, Role.TATTOOIST)
            artist, _new = Tattooist.objects.get_or_create(
                user=user,
                defaults={
                    "bio": spec.bio,
                    "approved": True,
                    "approved_at": timezone.now(),
                    "approved_by": admin,
                    "approval_note": "seed",
                    "timezone": "Asia/Ulaanbaatar",
                    "session_minutes": spec.session_minutes,
                    "min_deposit": Decimal("50000.00"),
                    "studio_name": spec.studio_name,
                    "city": spec.city,
                    "district": spec.district,
                    "address": spec.address,
                    "price_from": Decimal(spec.price_from),
                    "hourly_rate": Decimal(spec.hourly_rate) if spec.hourly_rate else None,
                    "languages": spec.languages,
                    "instagram": spec.instagram,
                    "booking_mode": spec.booking_mode,
                    "heal_days": spec.heal_days,
                },
            )
            if new:
                created.append(f"artist {spec.slug}")
            for index, (_motif, description, tags) in enumerate(spec.works):
                self._demo_item(artist, spec.slug, index, description, tags)
            if not Availability.objects.filter(tattooist=artist).exists():
                Availability.objects.bulk_create(
                    Availability(tattooist=artist, day=day, start_time=start, end_time=end)
                    for days, start, end in spec.hours
                    for day in days
                )
            if spec.away_days and not TimeOff.objects.filter(tattooist=artist, ends_at__gt=timezone.now()).exists():
                first, last = spec.away_days
                TimeOff.objects.create(
                    tattooist=artist,
                    starts_at=datetime.combine(today + timedelta(days=first), time.min, tzinfo=tz),
                    ends_at=datetime.combine(today + timedelta(days=last), time.min, tzinfo=tz),
                    reason="Convention",
                )
        return created

    @staticmethod
    def _demo_item(artist: Tattooist, slug: str, index: int, description: str, tags: list[str]) -> bool:
        key = demo.image_key(artist.user_id, slug, index)
        if PortfolioItem.objects.filter(image_key=key).exists():
            return False
        PortfolioItem.objects.create(
            tattooist=artist, image_url=uploads.public_url(key), image_key=key, description=description, style_tags=tags
        )
        return True

    def _demo_pictures(self):
        """(key, motif, uploader) of every demo item."""
        main = Tattooist.objects.filter(user__email=normalize_email(setting("SEED_ARTIST_EMAIL"))).first()
        if main is not None:
            for index, (motif, _description, _tags) in enumerate(demo.MAIN_WORKS, start=1):
                yield demo.image_key(main.user_id, "main", index), motif, main.user_id
        users = dict(User.objects.filter(email__in=[spec.email for spec in demo.ARTISTS]).values_list("email", "pk"))
        for spec in demo.ARTISTS:
            if spec.email in users:
                for index, (motif, _description, _tags) in enumerate(spec.works):
                    yield demo.image_key(users[spec.email], spec.slug, index), motif, users[spec.email]

    def _upload_demo_images(self) -> int:
        """Best effort, like _upload_seed_image: the demo pictures not in the bucket yet."""
        done = 0
        try:
            for key, motif, user_id in self._demo_pictures():
                if uploads.head_object(key) is not None:
                    continue
                uploads.put_object(
                    key=key,
                    body=demo_png(motif, key),
                    content_type="image/png",
                    metadata={uploads.META_UPLOADED_BY: str(user_id), uploads.META_ORIGINAL_FILENAME: f"{motif}.png"},
                )
                done += 1
        except UpstreamUnavailable:
            logger.warning("storage at %s is not reachable: demo pictures not uploaded", settings.S3_ENDPOINT_URL)
        return done

    def _upload_seed_image(self) -> bool:
        """Best effort: put the seeded item's image in the bucket when the bucket answers."""
        item = PortfolioItem.objects.filter(
            tattooist__user__email=normalize_email(setting("SEED_ARTIST_EMAIL")), image_key__contains=SEED_IMAGE_NAME
        ).first()
        if item is None:
            return False
        try:
            if uploads.head_object(item.image_key) is not None:
                return False
            uploads.put_object(
                key=item.image_key,
                body=rose_png(),
                content_type="image/png",
                cache_control=images.PUBLIC_CACHE_CONTROL,
                metadata={
                    uploads.META_UPLOADED_BY: str(item.tattooist.user_id),
                    uploads.META_ORIGINAL_FILENAME: "rose.png",
                },
            )
        except UpstreamUnavailable:
            logger.warning(
                "storage at %s is not reachable: the seeded portfolio image was not uploaded "
                "(`make run` starts the storage server; run `manage.py seed` again once it is up)",
                settings.S3_ENDPOINT_URL,
            )
            return False
        return True
