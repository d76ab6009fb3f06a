"""Projects over HTTP: later sessions without a new deposit, the heal time between sessions (on the
artist's calendar, across DST), progress, the deposit applied once to the first or the last
session, and cancelling under the deposit policy of the session in force (docs/deposits.md)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.tests.factories import TattooistFactory
from bookings.models import Booking, BookingStatus
from bookings.tests.factories import ConsentFactory
from bookings.tests.helpers import open_every_day
from consultations.models import Project
from consultations.tests.helpers import local, pay, project_with_paid_deposit, send_quote, send_request
from notifications.models import Outbox
from payments import ledger
from payments.models import LedgerEvent
from payments.services.checks import payment_settle_booking
from testing.clients import client_for

pytestmark = pytest.mark.django_db
D = Decimal


def book(client, project_id: int, slot: datetime):
    return client.post(f"/api/projects/{project_id}/sessions", {"slot": slot.isoformat()}, format="json")


def finish(booking_id: int, artist) -> None:
    """The session happened under a signed consent: its artist marks it completed after its start,
    and its settle job runs."""
    booking = Booking.objects.get(pk=booking_id)
    ConsentFactory(booking=booking)
    with time_machine.travel(booking.slot + timedelta(minutes=30), tick=False):
        response = client_for(artist.user).patch(f"/api/bookings/{booking_id}", {"status": "completed"}, format="json")
        assert response.status_code == 200, response.content
        payment_settle_booking(booking_id=booking_id)


def money(booking_id: int) -> ledger.Ledger:
    return ledger.deposit_ledger(booking=Booking.objects.get(pk=booking_id))


def test_a_project_is_read_by_its_parties_and_staff(customer_api, artist_api, artist, outsider, admin_user):
    project, first = project_with_paid_deposit(customer_api, artist_api, artist)
    path = f"/api/projects/{project['id']}"
    body = customer_api.get(path).json()
    assert body["status"] == "active"  # the deposit was paid
    assert body["sessions"] == [{"seq": 1, "bookingId": first["id"], "slot": first["slot"], "status": "confirmed"}]
    assert artist_api.get(path).status_code == 200
    assert client_for(admin_user).get(path).status_code == 200
    assert client_for(outsider).get(path).status_code == 403
    assert customer_api.get("/api/projects/987654321").status_code == 404
    assert client_for(admin_user).post(f"{path}/sessions", {"slot": first["slot"]}, format="json").status_code == 403


def test_later_sessions_are_confirmed_without_a_deposit_until_the_planned_ones_are_booked(
    customer, customer_api, artist_api, artist
):
    project, first = project_with_paid_deposit(customer_api, artist_api, artist, sessions=3, days=2)
    # the first session ends at 15:00 (noon + 180 minutes): the second may start 21 days later, at 15:00
    assert Booking.objects.get(pk=first["id"]).ends_at == local(artist, days=2, at=time(15))
    second = book(customer_api, project["id"], local(artist, days=2 + 21, at=time(15)))
    assert second.status_code == 201, second.content
    assert (second.json()["status"], second.json()["depositAmount"], second.json()["paymentStatus"]) == (
        "confirmed",
        "0.00",
        "unpaid",
    )
    third = book(artist_api, project["id"], local(artist, days=2 + 43, at=time(14)))  # the artist may book it too
    assert third.status_code == 201, third.content
    fourth = book(customer_api, project["id"], local(artist, days=2 + 70))
    assert (fourth.status_code, fourth.json()["code"]) == (409, "sessions_used")
    body = customer_api.get(f"/api/projects/{project['id']}").json()
    assert [(s["seq"], s["status"]) for s in body["sessions"]] == [(1, "confirmed"), (2, "confirmed"), (3, "confirmed")]
    # both parties are told, with the calendar invite; the booking's audit names who booked it
    mails = Outbox.objects.filter(kind__startswith="project_session_booked").order_by("id")
    assert sorted(mails.values_list("kind", "recipient_id")) == [
        ("project_session_booked_artist", artist.user_id),
        ("project_session_booked_artist", artist.user_id),
        ("project_session_booked_customer", customer.pk),
        ("project_session_booked_customer", customer.pk),
    ]
    assert all(m.attachments and "METHOD:REQUEST" in m.attachments[0]["content"] for m in mails)
    assert "Session 2 of 3" in mails[0].subject
    third_booking = Booking.objects.get(pk=third.json()["id"])
    assert third_booking.events.get().actor_id == artist.user_id
    assert third_booking.customer_id == customer.pk


def test_no_later_session_before_the_deposit_is_paid(customer_api, artist_api, artist):
    consultation = send_request(customer_api, artist)
    start = local(artist, days=3)
    quote = send_quote(artist_api, consultation["id"], [start], sessions=2)
    accepted = customer_api.post(f"/api/quotes/{quote['id']}/accept", {"slot": start.isoformat()}, format="json").json()
    response = book(customer_api, accepted["project"]["id"], local(artist, days=40))
    assert (response.status_code, response.json()["code"]) == (409, "deposit_unpaid")
    pay(accepted["booking"]["id"])
    assert Project.objects.get().status == "active"
    assert book(customer_api, accepted["project"]["id"], local(artist, days=40)).status_code == 201


def test_the_heal_time_counts_days_on_the_artists_calendar_across_a_dst_change(customer):
    """A Berlin artist with 21 heal days: the first session ends Sunday 14 March 2027, 16:00 (CET,
    UTC+1); clocks go forward on 28 March; the next session may start Sunday 4 April at 16:00
    (CEST, UTC+2), 20 days and 23 hours later in real time, and not half an hour earlier."""
    berlin = ZoneInfo("Europe/Berlin")
    artist = TattooistFactory(timezone="Europe/Berlin", booking_mode="request", heal_days=21)
    open_every_day(artist, start=time(9), end=time(20))
    first_start = datetime(2027, 3, 14, 13, 0, tzinfo=berlin)
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        customer_api, artist_api = client_for(customer), client_for(artist.user)
        consultation = send_request(customer_api, artist)
        quote = send_quote(artist_api, consultation["id"], [first_start], sessions=2)
        accepted = customer_api.post(
            f"/api/quotes/{quote['id']}/accept", {"slot": first_start.isoformat()}, format="json"
        ).json()
        pay(accepted["booking"]["id"])
        assert Booking.objects.get(pk=accepted["booking"]["id"]).ends_at == datetime(2027, 3, 14, 16, 0, tzinfo=berlin)
        boundary = datetime(2027, 4, 4, 16, 0, tzinfo=berlin)
        real_gap = boundary.astimezone(UTC) - datetime(2027, 3, 14, 16, 0, tzinfo=berlin).astimezone(UTC)
        assert real_gap == timedelta(days=20, hours=23)  # 21 days on the calendar
        too_soon = book(customer_api, accepted["project"]["id"], boundary - timedelta(minutes=30))
        assert (too_soon.status_code, too_soon.json()["code"]) == (409, "too_soon_to_heal")
        assert "4 April 2027, 16:00" in too_soon.json()["message"]  # the earliest, on the artist's clock
        on_time = book(customer_api, accepted["project"]["id"], boundary)
        assert on_time.status_code == 201, on_time.content
        assert on_time.json()["slot"] == "2027-04-04T14:00:00Z"


def test_a_deposit_for_the_first_session_is_applied_once_when_it_is_completed(customer_api, artist_api, artist):
    project, first = project_with_paid_deposit(customer_api, artist_api, artist, sessions=2, applies_to="first", days=2)
    second = book(customer_api, project["id"], local(artist, days=30)).json()
    finish(first["id"], artist)
    books = money(first["id"])
    assert (books.paid, books.applied, books.kept, books.refunded, books.held) == (D("100000"), D("100000"), 0, 0, 0)
    finish(second["id"], artist)
    assert money(first["id"]).applied == D("100000")
    assert LedgerEvent.objects.filter(kind="applied").count() == 1
    body = customer_api.get(f"/api/projects/{project['id']}").json()
    assert body["status"] == "completed"
    assert customer_api.get(f"/api/bookings/{first['id']}").json()["deposit"]["applied"] == "100000.00"
    assert ledger.ledger_disagreements() == []


def test_a_deposit_for_the_last_session_waits_through_the_first_and_is_applied_at_the_last(
    customer_api, artist_api, artist
):
    project, first = project_with_paid_deposit(customer_api, artist_api, artist, sessions=2, applies_to="last", days=2)
    second = book(customer_api, project["id"], local(artist, days=30)).json()
    finish(first["id"], artist)
    books = money(first["id"])
    assert (books.held, books.applied, books.kept) == (D("100000"), 0, 0)  # held by the project, not kept
    assert Booking.objects.get(pk=first["id"]).status == BookingStatus.COMPLETED
    assert ledger.ledger_disagreements() == []  # a carried deposit is no stranded money
    finish(second["id"], artist)
    books = money(first["id"])
    assert (books.held, books.applied, books.kept, books.refunded) == (0, D("100000"), 0, 0)
    assert LedgerEvent.objects.filter(kind="applied").count() == 1
    assert Project.objects.get().status == "completed"
    project_page = customer_api.get(f"/api/projects/{project['id']}").json()
    assert [s["status"] for s in project_page["sessions"]] == ["completed", "completed"]


def test_cancelling_the_project_late_keeps_a_carried_deposit_and_by_the_artist_refunds_it(
    customer, customer_api, artist_api, artist
):
    # the customer calls it off inside session 2's refund window: kept
    project, first = project_with_paid_deposit(customer_api, artist_api, artist, sessions=3, applies_to="last", days=2)
    second = book(customer_api, project["id"], local(artist, days=30)).json()
    finish(first["id"], artist)
    with time_machine.travel(Booking.objects.get(pk=second["id"]).slot - timedelta(hours=10), tick=False):
        cancelled = client_for(customer).post(f"/api/projects/{project['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert Booking.objects.get(pk=second["id"]).status == BookingStatus.CANCELLED
    books = money(first["id"])
    assert (books.kept, books.refunded + books.refund_pending, books.held) == (D("100000"), 0, 0)
    again = customer_api.post(f"/api/projects/{project['id']}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "project_closed")

    # the same, called off by the artist: refunded in full
    other = project_with_paid_deposit(customer_api, artist_api, artist, sessions=3, applies_to="last", days=4)[0]
    other_first = Project.objects.get(pk=other["id"]).sessions.get(seq=1).booking_id
    book(customer_api, other["id"], local(artist, days=33))
    finish(other_first, artist)
    assert artist_api.post(f"/api/projects/{other['id']}/cancel").status_code == 200
    books = money(other_first)
    assert (books.kept, books.refunded + books.refund_pending, books.held) == (0, D("100000"), 0)
    assert ledger.ledger_disagreements() == []


def test_cancelling_the_first_session_before_it_happens_cancels_the_project(customer_api, artist_api, artist):
    project, first = project_with_paid_deposit(customer_api, artist_api, artist, sessions=2, days=10)
    second = book(customer_api, project["id"], local(artist, days=40)).json()
    response = customer_api.patch(f"/api/bookings/{first['id']}", {"status": "cancelled"}, format="json")
    assert response.status_code == 200
    payment_settle_booking(booking_id=first["id"])
    assert Project.objects.get().status == "cancelled"
    assert Booking.objects.get(pk=second["id"]).status == BookingStatus.CANCELLED  # with its other sessions
    books = money(first["id"])
    assert books.refunded + books.refund_pending == D("100000")  # cancelled 10 days ahead: in time
    late = book(customer_api, project["id"], local(artist, days=45))
    assert (late.status_code, late.json()["code"]) == (409, "project_closed")


def test_moving_a_session_keeps_the_heal_time_from_the_others(customer_api, artist_api, artist):
    project, first = project_with_paid_deposit(customer_api, artist_api, artist, sessions=2, days=5)
    second = book(customer_api, project["id"], local(artist, days=40)).json()
    path = f"/api/bookings/{second['id']}/reschedule"
    too_close = artist_api.post(path, {"slot": local(artist, days=12).isoformat()}, format="json")
    assert (too_close.status_code, too_close.json()["code"]) == (409, "too_soon_to_heal")
    before_it = artist_api.post(path, {"slot": local(artist, days=2).isoformat()}, format="json")
    assert (before_it.status_code, before_it.json()["code"]) == (409, "too_soon_to_heal")  # 3 days before the first
    later = artist_api.post(path, {"slot": local(artist, days=45).isoformat()}, format="json")
    assert later.status_code == 200, later.content
    # the first session may not be moved up against the second either
    moved_first = artist_api.post(
        f"/api/bookings/{first['id']}/reschedule", {"slot": local(artist, days=40).isoformat()}, format="json"
    )
    assert (moved_first.status_code, moved_first.json()["code"]) == (409, "too_soon_to_heal")
