"""The artist's dashboard and its forms through Django's test client (tattoo/site/views/dashboard.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Availability, TimeOff
from portfolio.models import PortfolioItem
from testing.clients import logged_in

pytestmark = pytest.mark.django_db


def test_an_artist_cannot_delete_another_artists_portfolio_item(tattooist, other_tattooist):
    item = PortfolioItem.objects.create(
        tattooist=tattooist, image_url="/static/img/favicon.svg", image_key="portfolio/x/1.png"
    )
    response = logged_in(other_tattooist.user).post(reverse("portfolio-delete", args=[item.pk]))
    assert response.status_code == 403
    assert PortfolioItem.objects.filter(pk=item.pk).exists()
    assert logged_in(other_tattooist.user).post(reverse("portfolio-delete", args=[987654])).status_code == 404


def test_an_artist_cannot_delete_another_artists_hours_or_time_off(tattooist, other_tattooist):
    window = Availability.objects.create(tattooist=tattooist, day=1, start_time="10:00", end_time="12:00")
    now = timezone.now()
    away = TimeOff.objects.create(
        tattooist=tattooist, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2)
    )
    client = logged_in(other_tattooist.user)
    assert client.post(reverse("availability-delete", args=[window.pk])).status_code == 403
    assert client.post(reverse("time-off-delete", args=[away.pk])).status_code == 403
    assert Availability.objects.filter(pk=window.pk).exists()
    assert TimeOff.objects.filter(pk=away.pk).exists()


def test_the_dashboard_edits_hours_time_off_and_settings(tattooist):
    client = logged_in(tattooist.user)
    assert (
        client.post(reverse("availability-add"), {"day": 2, "start_time": "10:00", "end_time": "14:00"}).status_code
        == 302
    )
    assert Availability.objects.filter(tattooist=tattooist, day=2).count() == 1
    # Overlap and end-before-start come back next to their fields, from the same service/serializer as the API.
    overlap = client.post(reverse("availability-add"), {"day": 2, "start_time": "12:00", "end_time": "15:00"})
    assert overlap.status_code == 400
    assert "Overlaps another window on this day." in overlap.content.decode()
    backwards = client.post(reverse("availability-add"), {"day": 3, "start_time": "15:00", "end_time": "12:00"})
    assert backwards.status_code == 400
    assert 'id="id_end_time_error"' in backwards.content.decode()

    response = client.post(
        reverse("time-off-add"), {"starts_at": "2030-01-02T09:00", "ends_at": "2030-01-03T09:00", "reason": "Trip"}
    )
    assert response.status_code == 302
    away = TimeOff.objects.get(tattooist=tattooist)
    assert away.starts_at.isoformat() == "2030-01-02T01:00:00+00:00"  # 09:00 in Ulaanbaatar (UTC+8)

    response = client.post(
        reverse("settings-update"), {"timezone": "Europe/Berlin", "session_minutes": 90, "min_deposit": "30000"}
    )
    assert response.status_code == 302
    tattooist.refresh_from_db()
    assert (tattooist.timezone, tattooist.session_minutes, tattooist.min_deposit) == (
        "Europe/Berlin",
        90,
        Decimal("30000.00"),
    )
    window = client.post(
        reverse("settings-update"),
        {"timezone": "Europe/Berlin", "session_minutes": 90, "min_deposit": "30000", "deposit_refundable_hours": "72"},
    )
    assert window.status_code == 302
    tattooist.refresh_from_db()
    assert tattooist.deposit_refundable_hours == 72
    too_long = client.post(
        reverse("settings-update"),
        {
            "timezone": "Europe/Berlin",
            "session_minutes": 90,
            "min_deposit": "30000",
            "deposit_refundable_hours": "9999",
        },
    )
    assert too_long.status_code == 400
    assert 'id="id_deposit_refundable_hours_error"' in too_long.content.decode()
    bad = client.post(
        reverse("settings-update"), {"timezone": "Europe/Berlin", "session_minutes": 5, "min_deposit": "1.5"}
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'id="id_session_minutes_error"' in html
    assert 'id="id_min_deposit_error"' in html


def test_customers_cannot_use_the_artist_forms(customer):
    client = logged_in(customer)
    assert (
        client.post(reverse("availability-add"), {"day": 2, "start_time": "10:00", "end_time": "14:00"}).status_code
        == 403
    )
    assert client.get(reverse("dashboard")).status_code == 403
    assert not Availability.objects.exists()


def test_the_dashboard_is_for_artists(client, customer, tattooist):
    assert client.get(reverse("dashboard")).status_code == 302
    client.force_login(customer)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403
    assert "You are not allowed to see this page" in response.content.decode()
    client.force_login(tattooist.user)
    html = client.get(reverse("dashboard")).content.decode()
    assert "You are approved" in html
    assert 'data-testid="awaiting-approval"' not in html
