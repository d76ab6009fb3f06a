from __future__ import annotations

from decimal import Decimal

import factory

from bookings.models import BookingStatus
from bookings.tests.factories import PaidBookingFactory
from disputes.models import Dispute
from payments.tests.factories import PaidTransactionFactory


class DisputeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dispute

    booking = factory.SubFactory(PaidBookingFactory, status=BookingStatus.DISPUTED)
    initiator = factory.LazyAttribute(lambda o: o.booking.customer)
    reason = "The artist did not show up."
    booking_status_before = BookingStatus.CONFIRMED


def disputed_paid_booking(deposit: Decimal = Decimal("50000.00"), payment_type: str = "P2P"):
    """An open dispute on a confirmed, fully paid booking, with its paid transaction."""
    txn = PaidTransactionFactory(
        booking=PaidBookingFactory(status=BookingStatus.DISPUTED, deposit_amount=deposit), payment_type=payment_type
    )
    dispute = DisputeFactory(booking=txn.booking)
    return dispute, txn
