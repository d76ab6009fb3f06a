"""The slot picker and the booking form on the artist page (tattoo/site/views/booking_form.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.helpers import open_every_day
from testing.clients import logged_in

pytestmark = pytest.mark.django_db


def test_the_artist_page_offers_slots_in_the_artists_zone_and_books_one(customer, tattooist):
    open_every_day(tattooist)
    client = logged_in(customer)
    html = client.get(reverse("artist-detail", args=[tattooist.pk])).content.decode()
    options = re.findall(r'<option value="([0-9T:\-]+Z)"', html)
    assert options, "the slot picker lists free times"
    assert f'value="{tattooist.min_deposit:.2f}"' in html  # deposit prefilled with the minimum
    response = client.post(
        reverse("booking-create", args=[tattooist.pk]),
        {"slot": options[0], "notes": "Fine line rose", "deposit_amount": str(tattooist.min_deposit)},
    )
    booking = Booking.objects.get(customer=customer)
    assert response.status_code == 302
    assert response["Location"] == reverse("booking-detail", args=[booking.pk])
    assert booking.notes == "Fine line rose"
    assert booking.slot.strftime("%Y-%m-%dT%H:%M:%SZ") == options[0]


def test_a_taken_slot_gets_a_friendly_message_next_to_the_field(customer, other_customer, tattooist):
    open_every_day(tattooist)
    html = logged_in(customer).get(reverse("artist-detail", args=[tattooist.pk])).content.decode()
    slot = re.findall(r'<option value="([0-9T:\-]+Z)"', html)[0]
    data = {"slot": slot, "deposit_amount": str(tattooist.min_deposit)}
    assert logged_in(other_customer).post(reverse("booking-create", args=[tattooist.pk]), data).status_code == 302
    response = logged_in(customer).post(reverse("booking-create", args=[tattooist.pk]), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="id_slot_error"' in html
    assert "This time is no longer free." in html
    assert "Someone has just booked that time" in html
    assert Booking.objects.count() == 1


def test_a_deposit_below_the_minimum_is_refused_next_to_the_deposit(customer, tattooist):
    open_every_day(tattooist)
    html = logged_in(customer).get(reverse("artist-detail", args=[tattooist.pk])).content.decode()
    slot = re.findall(r'<option value="([0-9T:\-]+Z)"', html)[0]
    response = logged_in(customer).post(
        reverse("booking-create", args=[tattooist.pk]), {"slot": slot, "deposit_amount": "1"}
    )
    assert response.status_code == 400
    assert 'id="id_deposit_amount_error"' in response.content.decode()
    assert not Booking.objects.exists()


def test_an_artist_cannot_book(tattooist, other_tattooist):
    open_every_day(tattooist)
    slot = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT10:00:00Z")
    response = logged_in(other_tattooist.user).post(
        reverse("booking-create", args=[tattooist.pk]), {"slot": slot, "deposit_amount": "50000"}
    )
    assert response.status_code == 403
