from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from bookings.models import BookingStatus, PaymentStatus
from bookings.tests.factories import BookingFactory
from disputes.models import Dispute
from payments.models import Transaction, TransactionStatus
from payments.tests.factories import ledger_rows_for


class PaidBookingFactory(BookingFactory):
    status = BookingStatus.CONFIRMED
    payment_status = PaymentStatus.PAID
    hold_expires_at = None


class TransactionFactory(factory.django.DjangoModelFactory):
    """A transaction row written directly: paid in full by QR (P2P) unless told otherwise."""

    class Meta:
        model = Transaction
        skip_postgeneration_save = True

    booking = factory.SubFactory(PaidBookingFactory)
    amount = factory.LazyAttribute(lambda o: o.booking.deposit_amount)
    status = TransactionStatus.PAID
    qpay_invoice_id = factory.Sequence(lambda n: f"inv-{n:06d}")
    qpay_payment_id = factory.Sequence(lambda n: f"pay-{n:06d}")
    payment_type = "P2P"
    paid_amount = factory.LazyAttribute(lambda o: o.amount)
    paid_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def ledger_rows(obj, create, extracted, **kwargs):
        if create:
            ledger_rows_for(obj)


class DisputeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dispute

    booking = factory.SubFactory(PaidBookingFactory, status=BookingStatus.DISPUTED)
    initiator = factory.LazyAttribute(lambda o: o.booking.customer)
    reason = "The artist did not show up."
    booking_status_before = BookingStatus.CONFIRMED


def disputed_paid_booking(deposit: Decimal = Decimal("50000.00"), payment_type: str = "P2P"):
    """An open dispute on a confirmed, fully paid booking, with its paid transaction."""
    txn = TransactionFactory(
        booking=PaidBookingFactory(status=BookingStatus.DISPUTED, deposit_amount=deposit), payment_type=payment_type
    )
    dispute = DisputeFactory(booking=txn.booking)
    return dispute, txn
