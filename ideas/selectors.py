from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from bookings.selectors import booking_get_for
from ideas.models import TattooIdea


def ideas_for_booking(*, user: User, booking_id: int) -> QuerySet[TattooIdea]:
    """A booking's ideas, oldest first, for its parties and staff: unknown booking 404, others 403."""
    booking = booking_get_for(user=user, booking_id=booking_id)
    return TattooIdea.objects.filter(booking=booking).select_related("created_by").order_by("created_at", "id")


def idea_get(*, idea_id: int) -> TattooIdea:
    """One idea or 404; who may change it is the service's question (so 404 comes before 403)."""
    return get_object_or_404(TattooIdea.objects.select_related("created_by"), pk=idea_id)
