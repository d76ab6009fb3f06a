"""The composite pages offer an action exactly when the service would take it: each page asks the
service's own refusal predicate (issue 15, "every rule once")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from bookings.models import BookingStatus, PaymentStatus
from bookings.services.create import booking_create_refusal
from bookings.services.moves import allowed_moves, booking_change_status, status_move_refusal
from bookings.services.schedule import tattooist_update_settings
from bookings.tests.factories import BookingFactory
from payments.models import TransactionStatus
from payments.services.invoices import payment_create
from payments.tests.factories import TransactionFactory
from tattoo.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def _page_context(user, booking):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("booking-detail", args=[booking.pk]))
    assert response.status_code == 200
    return response.context


def test_an_underpaid_booking_offers_no_pay_button_as_the_service_refuses_it(customer):
    booking = BookingFactory(customer=customer, payment_status=PaymentStatus.PENDING)
    assert _page_context(customer, booking)["can_pay"] is True
    TransactionFactory(booking=booking, status=TransactionStatus.UNDERPAID)
    assert _page_context(customer, booking)["can_pay"] is False
    with pytest.raises(ApplicationError) as refused:
        payment_create(user=customer, booking_id=booking.pk)
    assert refused.value.code == "payment_underpaid"


@pytest.mark.parametrize("status", list(BookingStatus))
def test_the_artists_buttons_are_the_moves_the_service_accepts(status):
    booking = BookingFactory(status=status)
    artist = booking.tattooist.user
    offered = allowed_moves(booking=booking, actor=artist)
    for to_status in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.CANCELLED):
        refusal = status_move_refusal(booking=booking, actor=artist, to_status=to_status)
        assert (to_status in offered) == (refusal is None)
    for to_status in offered:
        fresh = BookingFactory(tattooist=booking.tattooist, status=status)
        assert booking_change_status(booking_id=fresh.pk, actor=artist, to_status=to_status).status == to_status


def test_a_customer_is_offered_only_cancel_and_the_service_refuses_confirm(customer):
    booking = BookingFactory(customer=customer)
    assert allowed_moves(booking=booking, actor=customer) == [BookingStatus.CANCELLED]
    with pytest.raises(ApplicationError) as refused:
        booking_change_status(booking_id=booking.pk, actor=customer, to_status=BookingStatus.CONFIRMED)
    assert (refused.value.status_code, refused.value.code) == (403, "customer_may_only_cancel")


@pytest.mark.parametrize(
    ("settings_change", "field"),
    [
        ({"timezone_name": "Mars/Olympus_Mons"}, "timezone"),
        ({"session_minutes": 5}, "sessionMinutes"),
        ({"session_minutes": 13 * 60}, "sessionMinutes"),
        ({"min_deposit": Decimal("10.50")}, "minDeposit"),
        ({"min_deposit": Decimal("-1")}, "minDeposit"),
    ],
)
def test_the_settings_service_refuses_bad_values_whoever_calls_it(tattooist, settings_change, field):
    before = (tattooist.timezone, tattooist.session_minutes, tattooist.min_deposit)
    with pytest.raises(ApplicationError) as refused:
        tattooist_update_settings(tattooist=tattooist, **settings_change)
    assert refused.value.status_code == 400
    assert field in refused.value.fields
    tattooist.refresh_from_db()
    assert (tattooist.timezone, tattooist.session_minutes, tattooist.min_deposit) == before


def test_the_booking_form_is_offered_only_to_whom_the_service_lets_book(customer, tattooist, admin_user):
    assert booking_create_refusal(customer=customer) is None
    for other in (tattooist.user, admin_user):
        assert booking_create_refusal(customer=other).status_code == 403
