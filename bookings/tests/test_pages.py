"""Booking and dashboard pages through Django's test client: access control, CSRF, forms, ICS."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import mfa
from accounts.tests.factories import AdminFactory
from bookings.models import Availability, Booking, BookingStatus, TimeOff
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import open_every_day
from portfolio.models import PortfolioItem
from testing.clients import staff_login

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    if mfa.requires_otp(user):
        staff_login(client, user)  # staff sessions need a verified second factor
    else:
        client.force_login(user)
    return client


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


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


def _unfold(body: str) -> str:
    return body.replace("\r\n ", "")


def test_the_calendar_feed_lists_active_and_completed_bookings_on_the_artists_clock(tattooist):
    slot = timezone.now().replace(microsecond=0, second=0) + timedelta(days=5)
    confirmed = BookingFactory(tattooist=tattooist, status="confirmed", slot=slot, notes="Koi, left arm; big")
    completed = BookingFactory(tattooist=tattooist, status="completed", slot=slot - timedelta(days=3))
    cancelled = BookingFactory(tattooist=tattooist, status="cancelled", slot=slot + timedelta(days=1))
    expired = BookingFactory(tattooist=tattooist, status="expired", slot=slot + timedelta(days=2))
    BookingFactory(status="confirmed")  # another artist's

    response = Client().get(reverse("calendar-feed", args=[tattooist.user.calendar_token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    text = _unfold(body)
    assert f"X-WR-TIMEZONE:{tattooist.timezone}" in text
    assert text.count("BEGIN:VEVENT") == 2
    assert f"UID:booking-{confirmed.pk}@" in text
    assert f"UID:booking-{completed.pk}@" in text
    assert f"booking-{cancelled.pk}@" not in text
    assert f"booking-{expired.pk}@" not in text
    # On the artist's clock, with its zone (the session's own zone: docs/i18n.md, "Times").
    local = slot.astimezone(ZoneInfo(tattooist.timezone))
    ends = local + timedelta(minutes=tattooist.session_minutes)
    assert f"DTSTART;TZID={tattooist.timezone}:{local.strftime('%Y%m%dT%H%M%S')}" in text
    assert f"DTEND;TZID={tattooist.timezone}:{ends.strftime('%Y%m%dT%H%M%S')}" in text
    assert f"BEGIN:VTIMEZONE\r\nTZID:{tattooist.timezone}" in text
    assert "Koi\\, left arm\\; big" in text
    # The UID is stable from one fetch to the next.
    again = _unfold(Client().get(reverse("calendar-feed", args=[tattooist.user.calendar_token])).content.decode())
    assert re.findall(r"UID:[^\r]+", again) == re.findall(r"UID:[^\r]+", text)


@pytest.mark.parametrize(
    "note",
    [
        "x\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:injected\rDTSTART:20300101T000000Z",
        "x\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected",
        "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected",
        "commas, semicolons; a backslash \\ and a literal \\n, END:VEVENT",
        "non-BMP \U0001f409\U0001d11e and \u041c\u043e\u043d\u0433\u043e\u043b " * 8,
    ],
    ids=["cr", "lf", "crlf", "punctuation", "non-bmp"],
)
def test_a_customer_note_stays_text_inside_its_own_calendar_event(tattooist, note):
    """ICS injection (docs/security.md): whatever a customer writes cannot end the event or add one."""
    import icalendar

    slot = timezone.now().replace(microsecond=0, second=0) + timedelta(days=5)
    booking = BookingFactory(tattooist=tattooist, status="confirmed", slot=slot, notes=note)
    booking.customer.name = "Eve\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:from the name"
    booking.customer.save(update_fields=["name"])
    raw = Client().get(reverse("calendar-feed", args=[tattooist.user.calendar_token])).content
    body = raw.decode()  # also: no UTF-8 character was cut by a fold
    # Every line break is CRLF; no lone CR or LF that a calendar app could take for one.
    assert "\r" not in body.replace("\r\n", "")
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = re.split(r"\r\n|\r|\n", _unfold(body))
    assert lines.count("BEGIN:VEVENT") == 1
    assert not any(line.startswith(("SUMMARY:injected", "SUMMARY:from the name", "DTSTART:2030")) for line in lines)
    events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["UID"]).startswith(f"booking-{booking.pk}@")
    assert note.replace("\r\n", "\n").replace("\r", "\n").strip() in str(events[0]["DESCRIPTION"])
    assert events[0]["DTSTART"].dt == slot


def test_a_wrong_or_rotated_calendar_token_is_a_404(tattooist):
    old = tattooist.user.calendar_token
    assert Client().get(reverse("calendar-feed", args=["not-the-token"])).status_code == 404
    response = logged_in(tattooist.user).post(reverse("calendar-rotate"))
    assert response.status_code == 302
    tattooist.user.refresh_from_db()
    assert tattooist.user.calendar_token != old
    assert Client().get(reverse("calendar-feed", args=[old])).status_code == 404
    assert Client().get(reverse("calendar-feed", args=[tattooist.user.calendar_token])).status_code == 200


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
