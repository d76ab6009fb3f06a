from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Tattooist
from accounts.tests.factories import TattooistFactory
from portfolio.tests.factories import PortfolioItemFactory
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def item(artist, tags):
    return PortfolioItemFactory(tattooist=artist, style_tags=tags)


def test_one_artist_is_public_only_when_approved(api_client):
    shown = TattooistFactory()
    hidden = TattooistFactory(approved=False, approved_at=None)

    response = api_client.get(f"/api/tattooists/{shown.pk}")
    assert response.status_code == 200
    assert "email" not in response.json()
    assert response.json()["styleTags"] == []
    assert api_client.get(f"/api/tattooists/{hidden.pk}").status_code == 404
    assert api_client.get("/api/tattooists/999999").status_code == 404


def test_an_artist_changes_their_booking_settings(tattooist):
    response = client_for(tattooist.user).patch(
        "/api/tattooists/me",
        {"bio": "New bio", "timezone": "Europe/Berlin", "sessionMinutes": 90, "minDeposit": "80000"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["timezone"] == "Europe/Berlin"
    assert response.json()["sessionMinutes"] == 90
    tattooist.refresh_from_db()
    assert (tattooist.bio, tattooist.timezone, tattooist.session_minutes, tattooist.min_deposit) == (
        "New bio",
        "Europe/Berlin",
        90,
        Decimal("80000.00"),
    )


def test_an_artist_sets_the_deposit_refund_window_and_new_bookings_keep_theirs(tattooist):
    assert tattooist.deposit_refundable_hours == 48  # the default
    response = client_for(tattooist.user).patch("/api/tattooists/me", {"depositRefundableHours": 72}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["depositRefundableHours"] == 72
    assert Tattooist.objects.get(pk=tattooist.pk).deposit_refundable_hours == 72
    public = APIClient().get(f"/api/tattooists/{tattooist.pk}").json()
    assert public["depositRefundableHours"] == 72  # shown to the customer before booking and paying


def test_a_partial_update_leaves_the_rest_alone(tattooist):
    response = client_for(tattooist.user).patch("/api/tattooists/me", {"sessionMinutes": 60}, format="json")

    assert response.status_code == 200
    assert Tattooist.objects.get(pk=tattooist.pk).timezone == "Asia/Ulaanbaatar"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "/etc/passwd"}, "timezone"),
        ({"sessionMinutes": 10}, "sessionMinutes"),
        ({"sessionMinutes": 721}, "sessionMinutes"),
        ({"minDeposit": "100.50"}, "minDeposit"),
        ({"minDeposit": "-1"}, "minDeposit"),
        ({"depositRefundableHours": -1}, "depositRefundableHours"),
        ({"depositRefundableHours": 721}, "depositRefundableHours"),
        ({"depositRefundableHours": "soon"}, "depositRefundableHours"),
    ],
)
def test_it_refuses_bad_settings_with_400(tattooist, body, field):
    response = client_for(tattooist.user).patch("/api/tattooists/me", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_only_an_artist_may_change_artist_settings(customer, admin_user, api_client):
    for user in (customer, admin_user):
        assert client_for(user).patch("/api/tattooists/me", {"bio": "x"}, format="json").status_code == 403
    assert api_client.patch("/api/tattooists/me", {"bio": "x"}, format="json").status_code == 401
