"""The composite pages' POST forms refuse a request without the CSRF token (tattoo/site/views/)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookings.models import Availability, Booking, BookingStatus, TimeOff
from bookings.tests.factories import BookingFactory
from portfolio.models import PortfolioItem
from testing.clients import csrf_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("booking-status", "booking", {"status": "cancelled"}),
        ("booking-reschedule", "booking", {"slot": "2030-01-01T02:00:00Z"}),
        ("booking-pay", "booking", {}),
        ("booking-recheck", "booking", {}),
        ("booking-create", "artist", {"slot": "2030-01-01T02:00:00Z", "deposit_amount": "50000"}),
        ("availability-add", None, {"day": 1, "start_time": "10:00", "end_time": "11:00"}),
        ("time-off-add", None, {"starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00"}),
        ("settings-update", None, {"timezone": "UTC", "session_minutes": 60, "min_deposit": "0"}),
        ("calendar-rotate", None, {}),
    ],
)
def test_the_new_post_forms_refuse_a_request_without_the_csrf_token(name, args, data, customer, tattooist, caplog):
    booking = BookingFactory(customer=customer, tattooist=tattooist)
    user = tattooist.user if args is None else customer
    url = reverse(name, args=[] if args is None else [booking.pk if args == "booking" else tattooist.pk])
    token_before = tattooist.user.calendar_token
    response = csrf_client(user).post(url, data)
    assert response.status_code == 403
    assert "CSRF" in caplog.text  # refused by the CSRF check, not by a permission rule
    booking.refresh_from_db()
    tattooist.user.refresh_from_db()
    assert booking.status == BookingStatus.PENDING
    assert Booking.objects.count() == 1
    assert not Availability.objects.exists()
    assert not TimeOff.objects.exists()
    assert tattooist.user.calendar_token == token_before


def test_the_delete_forms_refuse_a_request_without_the_csrf_token(tattooist):
    item = PortfolioItem.objects.create(
        tattooist=tattooist, image_url="/static/img/favicon.svg", image_key="portfolio/x/2.png"
    )
    window = Availability.objects.create(tattooist=tattooist, day=1, start_time="10:00", end_time="12:00")
    client = csrf_client(tattooist.user)
    assert client.post(reverse("portfolio-delete", args=[item.pk])).status_code == 403
    assert client.post(reverse("availability-delete", args=[window.pk])).status_code == 403
    assert PortfolioItem.objects.filter(pk=item.pk).exists()
    assert Availability.objects.filter(pk=window.pk).exists()
