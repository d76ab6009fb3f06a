"""Real threads against PostgreSQL and the local S3 server."""

from __future__ import annotations

from collections import Counter

import pytest

from bookings.models import BookingStatus
from bookings.tests.factories import BookingFactory
from ideas.models import TattooIdea
from testing.clients import client_for
from testing.races import hammer
from testing.s3 import upload_via_presign

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_one_image_posted_at_once_from_many_tabs_makes_exactly_one_idea(s3_server, customer, tattooist):
    booking = BookingFactory(customer=customer, tattooist=tattooist, status=BookingStatus.CONFIRMED)
    upload = upload_via_presign(client_for(customer), folder="ideas")

    def post(i):
        response = client_for(customer).post(
            "/api/tattoo-ideas",
            {"bookingId": booking.pk, "description": f"tab {i}", "imageUrl": upload.public_url},
            format="json",
        )
        return (response.status_code, response.json().get("code"))

    results = Counter(hammer(post, n=8))
    assert results == Counter({(201, None): 1, (409, "image_in_use"): 7})
    assert TattooIdea.objects.filter(image_key=upload.attached_key).count() == 1
