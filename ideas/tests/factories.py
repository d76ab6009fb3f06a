from __future__ import annotations

import factory

from bookings.tests.factories import BookingFactory
from ideas.models import TattooIdea


class TattooIdeaFactory(factory.django.DjangoModelFactory):
    """A text idea posted by the booking's customer."""

    class Meta:
        model = TattooIdea

    booking = factory.SubFactory(BookingFactory)
    created_by = factory.LazyAttribute(lambda o: o.booking.customer)
    description = "An idea"
