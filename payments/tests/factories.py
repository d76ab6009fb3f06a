from __future__ import annotations

import uuid

import factory
from django.utils import timezone

from bookings.tests.factories import BookingFactory, PaidBookingFactory
from payments.models import Transaction, TransactionStatus


class TransactionFactory(factory.django.DjangoModelFactory):
    """A pending transaction with an issued invoice (as if the worker had answered)."""

    class Meta:
        model = Transaction
        skip_postgeneration_save = True

    booking = factory.SubFactory(BookingFactory, payment_status="pending")
    amount = factory.LazyAttribute(lambda o: o.booking.deposit_amount)
    status = TransactionStatus.PENDING
    qpay_invoice_id = factory.LazyFunction(lambda: str(uuid.uuid4()))

    @factory.post_generation
    def ledger_rows(obj, create, extracted, **kwargs):
        if create:
            ledger_rows_for(obj)


class PaidTransactionFactory(TransactionFactory):
    """A transaction row written directly: paid in full by QR (P2P) unless told otherwise."""

    booking = factory.SubFactory(PaidBookingFactory)
    status = TransactionStatus.PAID
    qpay_invoice_id = factory.Sequence(lambda n: f"inv-{n:06d}")
    qpay_payment_id = factory.Sequence(lambda n: f"pay-{n:06d}")
    payment_type = "P2P"
    paid_amount = factory.LazyAttribute(lambda o: o.amount)
    paid_at = factory.LazyFunction(timezone.now)


def ledger_rows_for(obj: Transaction) -> None:
    """A transaction made with money on it gets the payment row (and refund row) the notify path
    would have written, so the deposit ledger and the transaction agree."""
    if obj.paid_amount <= 0 or obj.flag == "currency_mismatch":
        return
    from django.utils import timezone

    if obj.refund_state and obj.refunded_amount <= 0:
        # "owes a refund" without an amount: the whole payment is owed back
        obj.refunded_amount = obj.paid_amount
        Transaction.objects.filter(pk=obj.pk).update(refunded_amount=obj.paid_amount)

    from payments.models import Payment, Refund

    payment = Payment.objects.create(
        transaction=obj,
        booking=obj.booking,
        qpay_payment_id=obj.qpay_payment_id or f"F{obj.pk}-{uuid.uuid4().hex[:12]}",
        payment_type=obj.payment_type or "P2P",
        amount=obj.paid_amount,
        refunded_amount=obj.refunded_amount,
        paid_at=obj.paid_at or timezone.now(),
    )
    if obj.refunded_amount > 0:
        Refund.objects.create(
            payment=payment,
            booking=obj.booking,
            amount=obj.refunded_amount,
            status=obj.refund_state or "manual_required",
            reason="factory",
        )
