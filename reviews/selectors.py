"""Reads of reviews: the public list, a booking's review, and the staff's trust report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from bookings.models import Booking, BookingStatus, ConsentRecord
from disputes.selectors import report_week_starts
from reviews.models import Review

PUBLISHED = Q(hidden_at__isnull=True)


def public_name(name: str) -> str:
    """A reviewer as the public sees them: the first name and the last name's initial ("Болор Б.")."""
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {words[-1][0]}."


def reviews_published(*, tattooist_id: int) -> QuerySet[Review]:
    """An artist's published reviews, newest first (GET /api/tattooists/{id}/reviews, the artist page)."""
    return (
        Review.objects.filter(PUBLISHED, tattooist_id=tattooist_id)
        .select_related("customer")
        .only(
            "id",
            "rating",
            "text",
            "reply",
            "replied_at",
            "created_at",
            "tattooist_id",
            "image_key",
            "image_url",
            "image_width",
            "image_height",
            "image_variants",
            "customer__name",
        )
        .order_by("-created_at", "-id")
    )


def review_of_booking(booking: Booking) -> Review | None:
    return Review.objects.filter(booking_id=booking.pk).first()


# --- the staff's trust report ------------------------------------------------------------------------

# A session that started: the booking was confirmed and its time came (it may since be completed or
# disputed). A no-show did not start; cancelled and expired bookings never had a session.
STARTED = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.DISPUTED)


@dataclass(frozen=True)
class TrustRow:
    week: datetime  # Monday 00:00 UTC of the sessions' week
    started: int  # sessions that started
    consented: int  # of them, with a signed consent
    completed: int  # sessions marked completed
    reviewed: int  # of them, reviewed
    photo_due: int  # completed sessions at least HEALED_PHOTO_DAYS old
    photos: int  # of them, with a healed photo on their review

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def consent_rate(self) -> float | None:
        return self.share(self.consented, self.started)

    @property
    def review_rate(self) -> float | None:
        return self.share(self.reviewed, self.completed)

    @property
    def photo_rate(self) -> float | None:
        return self.share(self.photos, self.photo_due)


def trust_report(*, weeks: int = 12, now: datetime | None = None) -> tuple[list[TrustRow], TrustRow]:
    """Per week of the sessions' start (UTC, Monday first; the weekly report's weeks) and in total:
    consent completion (started sessions with a signed consent, the goal is 100 %), review rate
    (completed sessions reviewed) and healed-photo rate (completed sessions at least
    HEALED_PHOTO_DAYS old whose review has a healed photo). One query."""
    now = now or timezone.now()
    starts = report_week_starts(weeks=weeks, now=now)
    photo_cutoff = now - timedelta(days=settings.HEALED_PHOTO_DAYS)
    has_review = Exists(Review.objects.filter(booking_id=OuterRef("pk")))
    has_photo = Exists(Review.objects.filter(booking_id=OuterRef("pk")).exclude(image_key=""))
    has_consent = Exists(ConsentRecord.objects.filter(booking_id=OuterRef("pk")))
    completed = Q(status=BookingStatus.COMPLETED)
    rows = (
        Booking.objects.filter(slot__gte=starts[0], slot__lte=now, status__in=STARTED)
        .annotate(
            week=TruncWeek("slot", tzinfo=UTC),
            _review=has_review,
            _photo=has_photo,
            _consent=has_consent,
        )
        .values("week")
        .annotate(
            started=Count("id"),
            consented=Count("id", filter=Q(_consent=True)),
            completed=Count("id", filter=completed),
            reviewed=Count("id", filter=completed & Q(_review=True)),
            photo_due=Count("id", filter=completed & Q(slot__lte=photo_cutoff)),
            photos=Count("id", filter=completed & Q(slot__lte=photo_cutoff, _photo=True)),
        )
        .order_by("week")
    )
    found = {row["week"]: row for row in rows}
    names = ("started", "consented", "completed", "reviewed", "photo_due", "photos")
    weekly = [TrustRow(week=start, **{n: found.get(start, {}).get(n, 0) for n in names}) for start in starts]
    total = TrustRow(week=starts[0], **{n: sum(getattr(r, n) for r in weekly) for n in names})
    return weekly, total
