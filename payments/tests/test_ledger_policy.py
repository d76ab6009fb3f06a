"""The deposit policy and ledger (docs/deposits.md), one rule at a time, on PostgreSQL. The
settle job's body runs as the job worker would run it; these bookings have no open invoice, so it
makes no call to the QPay worker (the flows with QPay are in test_deposit_e2e and the property test)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from bookings.models import Booking, BookingStatus
from bookings.services.moves import booking_change_status
from bookings.tests.factories import ConsentFactory, PaidBookingFactory
from disputes.services import dispute_open_by_party, dispute_resolve
from payments import ledger
from payments.models import LedgerEvent, Payment, Refund, RefundStatus, Transaction
from payments.services.checks import payment_settle_booking
from payments.tests.factories import PaidTransactionFactory
from testing.clients import client_for, staff_login

pytestmark = pytest.mark.django_db


def paid(*, payment_type="P2P", hours=48, starts_in=timedelta(days=3), **booking_fields) -> Booking:
    slot = timezone.now().replace(microsecond=0) + starts_in
    booking = PaidBookingFactory(
        slot=slot, ends_at=slot + timedelta(hours=2), deposit_refundable_hours=hours, **booking_fields
    )
    PaidTransactionFactory(booking=booking, payment_type=payment_type)
    return booking


def settle_jobs(booking) -> list:
    return list(
        ProcrastinateJob.objects.filter(
            task_name="payments.settle_deposit", args={"booking_id": booking.pk}
        ).values_list("status", flat=True)
    )


def settle(booking) -> dict:
    """What the job worker runs for the settle job the move enqueued."""
    assert settle_jobs(booking) == ["todo"]
    return payment_settle_booking(booking_id=booking.pk)


def books(booking) -> dict:
    return ledger.deposit_ledger(booking=booking).as_api()


def test_a_customer_cancel_inside_the_window_leaves_the_deposit_with_the_artist():
    booking = paid(hours=24 * 7)  # starts in 3 days, refundable until 7 days before: too late
    booking_change_status(booking_id=booking.pk, actor=booking.customer, to_status="cancelled")
    assert settle(booking) == {"invoices": "none", "refunded": "0.00", "kept": "50000.00"}
    assert books(booking) == {
        "required": "50000.00",
        "paid": "50000.00",
        "refunded": "0.00",
        "kept": "50000.00",
        "refund_pending": "0.00",
        "applied": "0.00",
    }
    assert Booking.objects.get(pk=booking.pk).payment_status == "paid"
    kept = LedgerEvent.objects.get(booking=booking, kind="kept")
    assert (kept.amount, kept.note) == (Decimal("50000.00"), "customer cancelled within 168 h of the start")


def test_a_customer_cancel_before_the_window_refunds_the_deposit_in_full():
    booking = paid(hours=48)  # starts in 3 days: more than 48 h ahead
    booking_change_status(booking_id=booking.pk, actor=booking.customer, to_status="cancelled")
    assert settle(booking)["refunded"] == "50000.00"
    assert books(booking)["refund_pending"] == "50000.00"  # P2P: by hand
    refund = Refund.objects.get(booking=booking)
    assert (refund.status, refund.reason) == (
        RefundStatus.MANUAL_REQUIRED,
        "booking cancelled: full refund under the deposit policy",
    )
    assert Booking.objects.get(pk=booking.pk).payment_status == "refunded"


@pytest.mark.parametrize("who", ["artist", "staff"])
def test_an_artist_or_staff_cancel_always_refunds_even_at_the_last_minute(who, admin_user):
    booking = paid(hours=24 * 30, payment_type="CARD", starts_in=timedelta(hours=1))
    actor = booking.tattooist.user if who == "artist" else admin_user
    booking_change_status(booking_id=booking.pk, actor=actor, to_status="cancelled")
    assert settle(booking)["refunded"] == "50000.00"
    refund = Refund.objects.get(booking=booking)
    assert refund.status == RefundStatus.QPAY_PENDING  # a whole card payment: QPay, as a job
    assert list(ProcrastinateJob.objects.filter(task_name="payments.refund_card").values_list("args", flat=True)) == [
        {"refund_id": refund.pk}
    ]


def test_a_completed_session_counts_the_deposit_toward_the_price(customer):
    booking = paid(customer=customer, starts_in=-timedelta(minutes=30))  # completed only once started
    ConsentFactory(booking=booking)  # and signed for
    booking_change_status(booking_id=booking.pk, actor=booking.tattooist.user, to_status="completed")
    assert settle(booking)["kept"] == "50000.00"
    page = client_for(customer).get(f"/api/bookings/{booking.pk}").json()
    assert page["deposit"] == {
        "required": "50000.00",
        "paid": "50000.00",
        "refunded": "0.00",
        "kept": "50000.00",
        "refundPending": "0.00",
        "applied": "0.00",
    }
    assert page["depositRefundableHours"] == 48
    browser = Client()
    browser.force_login(customer)
    html = browser.get(reverse("booking-detail", args=[booking.pk])).content.decode()
    assert "Counted toward the price" in html
    assert 'data-testid="deposit-kept">50,000\u00a0₮' in html  # tattoo.core.l10n.money


def test_a_no_show_keeps_the_deposit():
    booking = paid(starts_in=-timedelta(minutes=30))
    booking_change_status(booking_id=booking.pk, actor=booking.tattooist.user, to_status="no_show")
    assert settle(booking)["kept"] == "50000.00"
    assert books(booking)["kept"] == "50000.00"


def test_a_no_show_before_the_start_is_refused_and_writes_nothing():
    booking = paid()
    response = client_for(booking.tattooist.user).patch(
        f"/api/bookings/{booking.pk}", {"status": "no_show"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "too_early"
    assert settle_jobs(booking) == []
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_an_expired_hold_gives_its_underpaid_money_back():
    booking = PaidBookingFactory(status=BookingStatus.PENDING, payment_status="pending")
    PaidTransactionFactory(
        booking=booking,
        status="underpaid",
        paid_amount=Decimal("20000"),
        flag="underpaid",
        invoice_cancelled_at=timezone.now(),  # the expiry cancelled it at QPay
    )
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.EXPIRED)
    assert payment_settle_booking(booking_id=booking.pk)["refunded"] == "20000.00"
    assert books(booking) == {
        "required": "50000.00",
        "paid": "20000.00",
        "refunded": "0.00",
        "kept": "0.00",
        "refund_pending": "20000.00",
        "applied": "0.00",
    }


def test_money_that_arrives_after_a_late_customer_cancel_is_refunded_not_kept():
    booking = paid(hours=24 * 7)
    booking_change_status(booking_id=booking.pk, actor=booking.customer, to_status="cancelled")
    settle(booking)
    # a second payment shows up later (an old QR paid after the cancel)
    late = PaidTransactionFactory(booking=booking, qpay_invoice_id="late-inv", qpay_payment_id="late-pay")
    Payment.objects.filter(transaction=late).update(created_at=timezone.now() + timedelta(seconds=1))
    payment_settle_booking(booking_id=booking.pk)
    assert books(booking) == {
        "required": "50000.00",
        "paid": "100000.00",
        "refunded": "0.00",
        "kept": "50000.00",
        "refund_pending": "50000.00",
        "applied": "0.00",
    }
    assert Refund.objects.get(booking=booking).payment.transaction_id == late.pk


def test_settling_twice_moves_nothing_more():
    booking = paid()
    booking_change_status(booking_id=booking.pk, actor=booking.tattooist.user, to_status="cancelled")
    settle(booking)
    assert payment_settle_booking(booking_id=booking.pk) == {"invoices": "none", "refunded": "0.00", "kept": "0.00"}
    assert Refund.objects.filter(booking=booking).count() == 1


def test_a_dispute_of_a_completed_session_refunds_from_what_the_artist_kept(admin_user):
    booking = paid(starts_in=-timedelta(minutes=30))
    ConsentFactory(booking=booking)
    booking_change_status(booking_id=booking.pk, actor=booking.tattooist.user, to_status="completed")
    settle(booking)
    dispute = dispute_open_by_party(booking_id=booking.pk, user=booking.customer, reason="Not what we agreed")
    dispute_resolve(
        dispute_id=dispute.pk,
        actor=admin_user,
        resolution="Half back",
        booking_status="completed",
        refund_amount=Decimal("20000"),
    )
    assert books(booking) == {
        "required": "50000.00",
        "paid": "50000.00",
        "refunded": "0.00",
        "kept": "30000.00",
        "refund_pending": "20000.00",
        "applied": "0.00",
    }
    assert list(LedgerEvent.objects.filter(booking=booking).values_list("kind", "amount")) == [
        ("kept", Decimal("50000.00")),
        ("unkept", Decimal("20000.00")),
        ("refund_recorded", Decimal("20000.00")),
    ]
    assert Booking.objects.get(pk=booking.pk).payment_status == "partially_refunded"


def test_the_refund_queue_shows_totals_and_age_and_staff_mark_refunds_done(admin_user):
    booking = paid()
    booking_change_status(booking_id=booking.pk, actor=booking.tattooist.user, to_status="cancelled")
    settle(booking)
    refund = Refund.objects.get(booking=booking)
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(days=2, hours=3))
    staff = Client()
    staff_login(staff, admin_user)
    page = staff.get("/admin/payments/refund/", {"status__exact": "manual_required"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="queue-count">1<' in html
    assert 'data-testid="queue-total">50,000\u00a0₮<' in html
    assert 'data-testid="queue-oldest">2 d 3 h<' in html
    done = staff.post("/admin/payments/refund/", {"action": "mark_done", "_selected_action": [refund.pk]}, follow=True)
    assert "1 refund(s) marked done." in done.content.decode()
    refund.refresh_from_db()
    assert (refund.status, refund.done_by) == (RefundStatus.MANUAL_DONE, admin_user)
    assert books(booking)["refunded"] == "50000.00"
    assert Transaction.objects.get(booking=booking).refund_state == "manual_done"
    assert ledger.refund_mark_done(refund_id=refund.pk, actor=admin_user) is False  # once
