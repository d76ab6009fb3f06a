"""The artist's rating stays exact under racing reviews and hides (real threads on PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db.models import Count, Sum

from accounts.models import Tattooist
from reviews import services
from reviews.models import Review
from reviews.tests.factories import CompletedBookingFactory
from testing.races import hammer

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_racing_reviews_and_hides_keep_the_count_and_the_sum_exact(tattooist, admin_user):
    earlier = []
    for rating in (1, 2, 3, 4):
        booking = CompletedBookingFactory(tattooist=tattooist)
        earlier.append(services.review_create(booking_id=booking.pk, user=booking.customer, rating=rating))
    fresh = [CompletedBookingFactory(tattooist=tattooist) for _ in range(10)]

    def act(i: int):
        if i < 20:  # two racing reviews of each fresh booking, with different ratings
            booking = fresh[i // 2]
            return services.review_create(booking_id=booking.pk, user=booking.customer, rating=1 + i % 5).pk
        # meanwhile staff hide the earlier ones
        return services.review_set_hidden(review_id=earlier[i - 20].pk, actor=admin_user, hidden=True, reason="Спам").pk

    results = hammer(act, n=24)

    assert results.count("ConflictError") == 10, results  # one of each pair: already_reviewed
    assert Review.objects.filter(booking__in=fresh).count() == 10
    published = Review.objects.filter(tattooist=tattooist, hidden_at__isnull=True).aggregate(
        n=Count("id"), s=Sum("rating")
    )
    artist = Tattooist.objects.get(pk=tattooist.pk)
    assert (artist.rating_count, artist.rating_sum) == (published["n"], published["s"]) == (10, published["s"])
    assert Review.objects.filter(tattooist=tattooist, hidden_at__isnull=False).count() == 4
