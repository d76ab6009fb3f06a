from __future__ import annotations

import uuid

import factory

from bookings.tests.factories import BookingFactory
from payments.models import Transaction, TransactionStatus


class TransactionFactory(factory.django.DjangoModelFactory):
    """A pending transaction with an issued invoice (as if the worker had answered)."""

    class Meta:
        model = Transaction

    booking = factory.SubFactory(BookingFactory, payment_status="pending")
    amount = factory.LazyAttribute(lambda o: o.booking.deposit_amount)
    status = TransactionStatus.PENDING
    qpay_invoice_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
