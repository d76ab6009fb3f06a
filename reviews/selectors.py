"""Reads of reviews: the public list and a booking's review (the staff's trust report is
backoffice/selectors.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from bookings.models import Booking
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
