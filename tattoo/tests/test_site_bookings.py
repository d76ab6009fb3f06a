"""My bookings and the booking page through Django's test client: access, status moves, moving a
booking, paying (tattoo/site/views/bookings.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import AdminFactory
from bookings.models import Booking, BookingStatus
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import open_every_day
from testing.clients import logged_in

pytestmark = pytest.mark.django_db


def test_a_customer_cannot_open_another_customers_booking_page(customer, other_customer):
    booking = BookingFactory(customer=customer)
    response = logged_in(other_customer).get(reverse("booking-detail", args=[booking.pk]))
    assert response.status_code == 403
    assert "Traceback" not in response.content.decode()
    assert logged_in(other_customer).get(reverse("booking-state", args=[booking.pk])).status_code == 403


def test_an_unknown_booking_is_a_404_page(customer):
    assert logged_in(customer).get(reverse("booking-detail", args=[999999])).status_code == 404


def test_the_parties_and_staff_see_the_booking_page_with_its_history(customer):
    booking = BookingFactory(customer=customer, notes="A small swallow")
    booking.events.create(to_status="pending", to_payment_status="unpaid", note="booked", actor=customer)
    for user in (customer, booking.tattooist.user, AdminFactory()):
        response = logged_in(user).get(reverse("booking-detail", args=[booking.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "A small swallow" in html
        assert "booked" in html
    assert Client().get(reverse("booking-detail", args=[booking.pk])).status_code == 302  # to the login page


def test_my_bookings_lists_only_the_callers_bookings(customer, other_customer):
    mine = BookingFactory(customer=customer)
    theirs = BookingFactory(customer=other_customer)
    html = logged_in(customer).get(reverse("my-bookings")).content.decode()
    assert reverse("booking-detail", args=[mine.pk]) in html
    assert reverse("booking-detail", args=[theirs.pk]) not in html


def test_a_customer_may_cancel_but_not_confirm_and_the_artist_confirms(customer):
    booking = BookingFactory(customer=customer)
    url = reverse("booking-status", args=[booking.pk])
    assert logged_in(customer).post(url, {"status": "confirmed"}).status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING
    assert logged_in(booking.tattooist.user).post(url, {"status": "confirmed"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert logged_in(customer).post(url, {"status": "cancelled"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert [e.to_status for e in booking.events.all()][-2:] == ["confirmed", "cancelled"]


def test_a_customer_moves_a_booking_once_from_its_page(customer, tattooist):
    open_every_day(tattooist)
    client = logged_in(customer)
    html = client.get(reverse("artist-detail", args=[tattooist.pk])).content.decode()
    later = re.findall(r'<option value="([0-9T:\-]+Z)"', html)[-1]  # days ahead: movable by the customer
    client.post(reverse("booking-create", args=[tattooist.pk]), {"slot": later, "deposit_amount": "50000"})
    booking = Booking.objects.get(customer=customer)

    page = client.get(reverse("booking-detail", args=[booking.pk])).content.decode()
    assert 'data-testid="reschedule"' in page
    offered = re.findall(r'<option value="([^"]+)">', page.split('data-testid="reschedule"')[1])
    assert offered
    assert booking.slot.isoformat() not in offered
    response = client.post(reverse("booking-reschedule", args=[booking.pk]), {"slot": offered[-1]}, follow=True)
    assert "Booking moved to" in response.content.decode()
    booking.refresh_from_db()
    assert booking.slot.isoformat() == offered[-1]
    assert booking.customer_reschedules == 1
    # moved once: no second offer, and the reason instead
    page = client.get(reverse("booking-detail", args=[booking.pk])).content.decode()
    assert 'data-testid="reschedule"' not in page
    assert "already moved as often as allowed" in page
    refused = client.post(reverse("booking-reschedule", args=[booking.pk]), {"slot": offered[0]}, follow=True)
    assert "already moved" in refused.content.decode()
    # the artist may still move it
    artist_page = logged_in(tattooist.user).get(reverse("booking-detail", args=[booking.pk])).content.decode()
    assert 'data-testid="reschedule"' in artist_page


def test_a_move_from_the_page_is_refused_for_strangers_and_nonsense(customer, other_customer, tattooist):
    open_every_day(tattooist)
    booking = BookingFactory(customer=customer, tattooist=tattooist)
    url = reverse("booking-reschedule", args=[booking.pk])
    later = (booking.slot + timedelta(days=7)).isoformat()
    assert logged_in(other_customer).post(url, {"slot": later}).status_code == 403
    assert logged_in(other_customer).post(url, {"slot": "next tuesday"}).status_code == 403  # before the form
    garbled = logged_in(customer).post(url, {"slot": "next tuesday"}, follow=True)
    assert "Pick a new time from the list." in garbled.content.decode()
    booking.refresh_from_db()
    assert booking.customer_reschedules == 0


def test_another_artist_cannot_move_a_booking(other_tattooist):
    booking = BookingFactory()
    response = logged_in(other_tattooist.user).post(
        reverse("booking-status", args=[booking.pk]), {"status": "confirmed"}
    )
    assert response.status_code == 403
    nonsense = logged_in(other_tattooist.user).post(reverse("booking-status", args=[booking.pk]), {"status": "x"})
    assert nonsense.status_code == 403  # who asks is judged before the form
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_pay_then_i_have_paid_confirms_a_booking_whose_callback_was_lost(qpay_worker, settings):
    settings.PAYMENT_STATUS_RECHECK_SECONDS = 0
    booking = BookingFactory(deposit_amount=Decimal("40000.00"))
    client = logged_in(booking.customer)
    assert client.post(reverse("booking-pay", args=[booking.pk])).status_code == 302
    html = client.get(reverse("booking-detail", args=[booking.pk])).content.decode()
    txn = booking.transactions.get()
    assert f'src="data:image/png;base64,{txn.qr_image}"' in html
    assert txn.checkout_url in html
    assert 'data-poll="1"' in html
    # Pressing "Pay" twice shows the same open invoice, never a second one.
    assert client.post(reverse("booking-pay", args=[booking.pk])).status_code == 302
    assert booking.transactions.count() == 1

    assert qpay_worker.pay(txn.qpay_invoice_id, callback="never").status_code == 200
    state = client.get(reverse("booking-state", args=[booking.pk])).json()
    assert state == {"id": booking.pk, "status": "pending", "paymentStatus": "pending"}  # nobody told us yet

    response = client.post(reverse("booking-recheck", args=[booking.pk]), follow=True)
    assert "Payment received: your booking is confirmed." in response.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    assert 'data-poll="1"' not in response.content.decode()


def test_only_the_customer_can_pay_from_the_page(customer):
    booking = BookingFactory(customer=customer)
    assert logged_in(booking.tattooist.user).post(reverse("booking-pay", args=[booking.pk])).status_code == 403
    assert not booking.transactions.exists()
