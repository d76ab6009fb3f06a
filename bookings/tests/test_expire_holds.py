from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking, BookingEvent, BookingStatus, PaymentStatus
from bookings.services.expiry import before_hold_expiry, booking_expire_holds
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import NOW
from bookings.transitions import booking_move
from testing.clients import client_for

pytestmark = pytest.mark.django_db

hook_calls: list[int] = []
hook_answer: dict = {"value": True}


def recording_hook(*, booking):
    hook_calls.append(booking.pk)
    answer = hook_answer["value"]
    if answer == "raise":
        raise RuntimeError("worker unreachable")
    if answer == "paid":
        # what payments will do when the last check finds the money: credit it and confirm
        booking_move(
            booking_id=booking.pk, actor=None, to_status=BookingStatus.CONFIRMED, to_payment_status=PaymentStatus.PAID
        )
        return False
    return answer


@pytest.fixture(autouse=True)
def _reset_hook():
    hook_calls.clear()
    hook_answer["value"] = True


@pytest.fixture
def recording():
    """The last word before expiry is this module's recorder instead of payments' check."""
    with before_hold_expiry.replaced(recording_hook):
        yield


def due(**kw):
    return BookingFactory(hold_expires_at=timezone.now() - timedelta(minutes=1), **kw)


def test_it_expires_only_pending_unpaid_holds_that_ran_out():
    ran_out = due()
    still_held = BookingFactory(hold_expires_at=timezone.now() + timedelta(minutes=5))
    paid = due(status=BookingStatus.CONFIRMED, payment_status=PaymentStatus.PAID)
    paid_pending = due(payment_status=PaymentStatus.PAID)  # money in, confirmation not yet applied
    cancelled = due(status=BookingStatus.CANCELLED)

    report = booking_expire_holds()

    assert (report.expired, report.kept) == (1, 0)
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses[ran_out.pk] == BookingStatus.EXPIRED
    assert statuses[still_held.pk] == BookingStatus.PENDING
    assert statuses[paid.pk] == BookingStatus.CONFIRMED
    assert statuses[paid_pending.pk] == BookingStatus.PENDING
    assert statuses[cancelled.pk] == BookingStatus.CANCELLED
    event = BookingEvent.objects.get()
    assert (event.booking_id, event.from_status, event.to_status, event.actor_id) == (
        ran_out.pk,
        "pending",
        "expired",
        None,
    )
    assert booking_expire_holds().expired == 0  # a second run finds nothing
    assert BookingEvent.objects.count() == 1


def test_an_expired_hold_frees_the_slot(frozen, open_artist, customer, other_customer):
    slot = "2026-06-03T12:00:00+08:00"
    body = {"tattooistId": open_artist.pk, "slot": slot, "depositAmount": "50000"}
    assert client_for(customer).post("/api/bookings", body, format="json").status_code == 201
    assert client_for(other_customer).post("/api/bookings", body, format="json").status_code == 409

    frozen.shift(timedelta(minutes=31))
    assert booking_expire_holds().expired == 1

    assert client_for(other_customer).post("/api/bookings", body, format="json").status_code == 201


def test_a_hold_is_not_released_before_its_time(frozen, open_artist, customer):
    body = {"tattooistId": open_artist.pk, "slot": "2026-06-03T12:00:00+08:00", "depositAmount": "50000"}
    client_for(customer).post("/api/bookings", body, format="json")

    frozen.shift(timedelta(minutes=29))
    assert booking_expire_holds().expired == 0
    assert Booking.objects.get().hold_expires_at == NOW + timedelta(minutes=30)  # never extended


def test_a_hold_with_an_open_invoice_asks_the_hook_first(recording):
    invoiced = due(payment_status=PaymentStatus.PENDING)
    plain = due()

    report = booking_expire_holds()

    assert hook_calls == [invoiced.pk]  # an unpaid hold without an invoice needs no check
    assert report.expired == 2
    assert Booking.objects.get(pk=invoiced.pk).status == BookingStatus.EXPIRED
    assert Booking.objects.get(pk=plain.pk).status == BookingStatus.EXPIRED


@pytest.mark.parametrize("answer", [False, "raise"])
def test_the_hook_can_keep_the_hold_for_the_next_run(recording, answer):
    hook_answer["value"] = answer
    invoiced = due(payment_status=PaymentStatus.PENDING)

    report = booking_expire_holds()

    assert (report.expired, report.kept) == (0, 1)
    assert Booking.objects.get(pk=invoiced.pk).status == BookingStatus.PENDING
    assert not BookingEvent.objects.exists()


def test_a_payment_found_by_the_last_check_wins(recording):
    hook_answer["value"] = "paid"
    invoiced = due(payment_status=PaymentStatus.PENDING)

    booking_expire_holds()

    booking = Booking.objects.get(pk=invoiced.pk)
    assert (booking.status, booking.payment_status) == (BookingStatus.CONFIRMED, PaymentStatus.PAID)
    assert [e.to_status for e in BookingEvent.objects.all()] == ["confirmed"]


def test_the_management_command_reports_what_it_did():
    due()
    out = StringIO()

    call_command("expire_holds", stdout=out)

    assert "expired 1 hold(s)" in out.getvalue()
    assert Booking.objects.get().status == BookingStatus.EXPIRED
