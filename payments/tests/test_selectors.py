"""payments.selectors.open_invoices: the one answer to "which of a booking's QRs can still be paid",
asked by payment_create, the cancels, the checks, the notification's clean-up and the booking page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.tests.factories import BookingFactory
from payments.models import TransactionStatus
from payments.selectors import open_invoices
from payments.tests.factories import TransactionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking():
    return BookingFactory(payment_status="pending")


def ids(rows):
    return [row.pk for row in rows]


def test_an_issued_pending_invoice_and_an_underpaid_one_still_open_are_open(booking):
    underpaid = TransactionFactory(booking=booking, status=TransactionStatus.UNDERPAID)
    pending = TransactionFactory(booking=booking)
    assert ids(open_invoices(booking_id=booking.pk)) == [underpaid.pk, pending.pk]  # oldest first


def test_paid_cancelled_and_refunded_invoices_are_not_open(booking):
    for status in (
        TransactionStatus.PAID,
        TransactionStatus.CANCELLED,
        TransactionStatus.REFUNDED,
        TransactionStatus.PARTIALLY_REFUNDED,
    ):
        TransactionFactory(booking=booking, status=status)
    assert ids(open_invoices(booking_id=booking.pk)) == []


def test_an_underpaid_invoice_cancelled_at_qpay_is_not_open(booking):
    TransactionFactory(booking=booking, status=TransactionStatus.UNDERPAID, invoice_cancelled_at=timezone.now())
    assert ids(open_invoices(booking_id=booking.pk)) == []


def test_another_bookings_invoices_are_never_counted(booking):
    TransactionFactory()
    TransactionFactory(status=TransactionStatus.UNDERPAID)
    mine = TransactionFactory(booking=booking)
    assert ids(open_invoices(booking_id=booking.pk)) == [mine.pk]
    assert ids(open_invoices(booking_id=BookingFactory().pk)) == []


def test_pending_leaves_out_the_underpaid_ones(booking):
    TransactionFactory(booking=booking, status=TransactionStatus.UNDERPAID)
    pending = TransactionFactory(booking=booking)
    assert ids(open_invoices(booking_id=booking.pk, pending=True)) == [pending.pk]


def test_a_claim_without_an_invoice_is_found_only_when_asked_for(booking):
    claim = TransactionFactory(booking=booking, qpay_invoice_id=None)
    assert ids(open_invoices(booking_id=booking.pk)) == []
    assert ids(open_invoices(booking_id=booking.pk, pending=True, claims=True)) == [claim.pk]


def test_expired_by_keeps_only_the_invoices_expired_at_that_moment(booking):
    now = timezone.now()
    expired = TransactionFactory(booking=booking, status=TransactionStatus.UNDERPAID, expires_at=now)
    live = TransactionFactory(booking=booking, expires_at=now + timedelta(minutes=5))
    TransactionFactory(booking=booking, status=TransactionStatus.UNDERPAID, expires_at=None)  # no expiry: never
    assert ids(open_invoices(booking_id=booking.pk, expired_by=now)) == [expired.pk]
    assert ids(open_invoices(booking_id=booking.pk, expired_by=now + timedelta(minutes=5))) == [expired.pk, live.pk]
    assert ids(open_invoices(booking_id=booking.pk, pending=True, expired_by=now)) == []


def test_lock_selects_for_update_and_the_plain_read_does_not(booking):
    TransactionFactory(booking=booking)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        list(open_invoices(booking_id=booking.pk, lock=True))
        list(open_invoices(booking_id=booking.pk))
    locked, plain = (query["sql"] for query in queries.captured_queries)
    assert "FOR UPDATE" in locked
    assert "FOR UPDATE" not in plain


@pytest.mark.parametrize("others", [0, 6])
def test_it_is_one_query_however_many_invoices_there_are(booking, others, django_assert_num_queries):
    TransactionFactory(booking=booking)
    for _ in range(others):
        TransactionFactory(booking=booking, status=TransactionStatus.UNDERPAID)
        TransactionFactory(booking=booking, status=TransactionStatus.CANCELLED)
        TransactionFactory(status=TransactionStatus.UNDERPAID)
    with django_assert_num_queries(1):
        assert len(open_invoices(booking_id=booking.pk)) == 1 + others
    with django_assert_num_queries(1):
        assert open_invoices(booking_id=booking.pk).exists()
