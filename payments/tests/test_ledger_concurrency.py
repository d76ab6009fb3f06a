"""Real threads against PostgreSQL: the deposit ledger's money moves happen once, never twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import AdminFactory
from bookings.models import Booking, BookingStatus
from bookings.tests.factories import PaidBookingFactory
from payments import ledger
from payments.models import LedgerEvent, Refund, RefundStatus
from payments.services.checks import payment_settle_booking
from payments.tests.factories import PaidTransactionFactory
from testing.races import hammer

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def cancelled_paid_booking() -> Booking:
    booking = PaidBookingFactory(deposit_amount=Decimal("50000.00"))
    PaidTransactionFactory(booking=booking, payment_type="P2P")
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)  # by staff: refund in full
    return booking


def test_twenty_settle_jobs_racing_on_one_booking_refund_it_once():
    booking = cancelled_paid_booking()
    results = hammer(lambda i: payment_settle_booking(booking_id=booking.pk)["refunded"], n=20)
    assert sorted(results) == ["0.00"] * 19 + ["50000.00"], results
    assert list(Refund.objects.filter(booking=booking).values_list("amount", flat=True)) == [Decimal("50000.00")]
    assert ledger.deposit_ledger(booking=booking).refund_pending == Decimal("50000.00")


def test_twenty_staff_marking_one_refund_done_record_it_once():
    booking = cancelled_paid_booking()
    payment_settle_booking(booking_id=booking.pk)
    refund = Refund.objects.get(booking=booking)
    staff = [AdminFactory() for _ in range(20)]
    results = hammer(lambda i: ledger.refund_mark_done(refund_id=refund.pk, actor=staff[i]), n=20)
    assert sorted(results) == [False] * 19 + [True], results
    refund.refresh_from_db()
    assert refund.status == RefundStatus.MANUAL_DONE
    assert LedgerEvent.objects.filter(refund=refund, kind="refund_moved").count() == 1
    assert ledger.deposit_ledger(booking=booking).refunded == Decimal("50000.00")
