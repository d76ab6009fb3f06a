"""Real threads against PostgreSQL: a dispute is resolved and its refund counted exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import AdminFactory
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.tests.factories import PaidBookingFactory
from disputes.models import Dispute, DisputeStatus
from disputes.tests.factories import disputed_paid_booking
from payments.models import Transaction, TransactionStatus
from testing.clients import client_for
from testing.races import hammer

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_ten_concurrent_resolves_with_a_refund_succeed_once_and_refund_once():
    dispute, txn = disputed_paid_booking(Decimal("50000.00"))
    admins = [AdminFactory() for _ in range(10)]
    clients = [client_for(a) for a in admins]

    def resolve(i: int) -> int:
        return (
            clients[i]
            .patch(
                f"/api/admin/disputes/{dispute.pk}",
                {"resolution": f"decision {i}", "refundAmount": "20000", "bookingStatus": "cancelled"},
                format="json",
            )
            .status_code
        )

    results = hammer(resolve, n=10)
    assert sorted(results) == [200] + [409] * 9
    txn = Transaction.objects.get(pk=txn.pk)
    assert txn.refunded_amount == Decimal("20000.00")
    assert txn.status == TransactionStatus.PARTIALLY_REFUNDED
    dispute = Dispute.objects.get(pk=dispute.pk)
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.refund_amount == Decimal("20000.00")
    assert BookingEvent.objects.filter(booking_id=dispute.booking_id).count() == 1
    assert Booking.objects.get(pk=dispute.booking_id).status == BookingStatus.CANCELLED


def test_ten_concurrent_openers_leave_one_open_dispute():
    booking = PaidBookingFactory()
    customer_client = client_for(booking.customer)
    artist_client = client_for(booking.tattooist.user)

    def open_dispute(i: int) -> int:
        client = customer_client if i % 2 else artist_client
        return client.post("/api/disputes", {"bookingId": booking.pk, "reason": f"r{i}"}, format="json").status_code

    results = hammer(open_dispute, n=10)
    assert sorted(results) == [201] + [409] * 9
    assert Dispute.objects.filter(booking=booking).count() == 1
    assert BookingEvent.objects.filter(booking=booking).count() == 1
