"""Property test (Hypothesis, stateful) of the deposit ledger (docs/deposits.md): random lifecycles
of bookings (create, invoice, pay in one or several parts by P2P or CARD, underpay, pay while a
cancel is on its way, cancel by the customer, the artist or staff, early or late, expire,
reschedule, dispute and resolve with or without a refund, no-show, complete), with the QPay
sandbox and worker in the loop for every invoice, payment check, cancel and card refund.

After every step the jobs the step enqueued are run (their bodies, in order, as the job worker
would: the settle job, card refunds), then the invariants are checked:

- per booking: paid = refunded + kept + refundPending + held, every term >= 0;
- a booking that is over holds nothing and has no invoice open at QPay;
- a live booking holds at most its deposit;
- no card refund is left waiting on QPay, and the report finds no disagreement.
"""

from __future__ import annotations

import contextlib
import os
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.tests.factories import AdminFactory, CustomerFactory, TattooistFactory
from bookings.models import ACTIVE_STATUSES, Availability, Booking, BookingStatus
from bookings.services.create import booking_create
from bookings.services.expiry import booking_expire_hold
from bookings.services.moves import booking_change_status, booking_reschedule
from disputes.models import Dispute, DisputeStatus
from disputes.services import dispute_open_by_party, dispute_resolve
from payments import card_refunds, ledger
from payments.models import Payment, Refund, RefundStatus, Transaction
from payments.selectors import open_invoices
from payments.services.checks import payment_recheck, payment_settle_booking
from payments.services.invoices import payment_create
from tattoo.core.errors import ApplicationError

DEPOSIT = Decimal("50000.00")
# The jobs the money flows enqueue, and how the worker runs each (their task bodies).
JOB_BODIES = {
    "payments.settle_deposit": lambda args: payment_settle_booking(**args),
    "payments.refund_card": lambda args: card_refunds.refund_send(**args),
}

who = st.sampled_from(["customer", "artist", "staff"])
part = st.sampled_from([None, "20000", "30000"])  # None: whatever is left of the invoice
kind = st.sampled_from(["P2P", "CARD"])


class DepositMachine(RuleBasedStateMachine):
    bookings = Bundle("bookings")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # each example in its own savepoint, rolled back in teardown
        self.artist = TattooistFactory(timezone="UTC", session_minutes=120, min_deposit=DEPOSIT)
        Availability.objects.bulk_create(
            [Availability(tattooist=self.artist, day=d, start_time=time(0), end_time=time(23, 59)) for d in range(7)]
        )
        self.staff = AdminFactory()
        self.base = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=3)
        self.next_slot = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ------------------------------------------------------------------------------
    def slot(self):
        start = self.base + timedelta(hours=3 * self.next_slot)
        self.next_slot += 1
        return start

    def actor(self, booking: Booking, role: str):
        return {"customer": booking.customer, "artist": self.artist.user, "staff": self.staff}[role]

    def drain(self):
        """Run every due job of the money flows, oldest first, until none is left."""
        for _ in range(50):
            job = (
                ProcrastinateJob.objects.filter(status="todo", task_name__in=JOB_BODIES)
                .filter(scheduled_at__isnull=True)
                .order_by("id")
                .first()
            )
            if job is None:
                return
            ProcrastinateJob.objects.filter(pk=job.pk).update(status="succeeded")
            JOB_BODIES[job.task_name](job.args)
        raise AssertionError("jobs keep enqueueing jobs")

    # --- rules --------------------------------------------------------------------------------
    @rule(target=bookings, refundable_hours=st.sampled_from([0, 48, 24 * 30]))
    def create(self, refundable_hours):
        self.artist.deposit_refundable_hours = refundable_hours
        self.artist.save(update_fields=["deposit_refundable_hours"])
        booking = booking_create(
            customer=CustomerFactory(), tattooist_id=self.artist.pk, slot=self.slot(), deposit_amount=DEPOSIT
        )
        self.drain()
        return booking.pk

    @rule(target=bookings, refundable_hours=st.sampled_from([0, 48, 24 * 30]), parts=st.sampled_from(["one", "split"]))
    def create_and_pay(self, refundable_hours, parts):
        booking_id = self.create(refundable_hours)
        if parts == "one":
            self._pay(booking_id, None, "P2P" if refundable_hours == 48 else "CARD")
        else:
            self._pay(booking_id, "20000", "P2P")
            self._pay(booking_id, None, "CARD")
        self.drain()
        return booking_id

    @rule(booking_id=bookings)
    def open_invoice(self, booking_id):
        booking = Booking.objects.get(pk=booking_id)
        # not payable any more, already paid, underpaid: the product says so
        with contextlib.suppress(ApplicationError):
            payment_create(user=booking.customer, booking_id=booking_id)
        self.drain()

    def _pay(self, booking_id, amount, payment_type) -> None:
        txn = open_invoices(booking_id=booking_id).last()
        if txn is None:
            booking = Booking.objects.get(pk=booking_id)
            try:
                txn, _ = payment_create(user=booking.customer, booking_id=booking_id)
            except ApplicationError:
                return
        options = {"paymentType": payment_type, "callback": "never"}
        if amount is not None:
            options["amount"] = amount
        self.stack.pay(txn.qpay_invoice_id, **options)  # a closed invoice refuses (400): fine
        payment_recheck(transaction_id=txn.pk)  # the lifecycle check that finds it

    @rule(booking_id=bookings, amount=part, payment_type=kind)
    def pay(self, booking_id, amount, payment_type):
        self._pay(booking_id, amount, payment_type)
        self.drain()

    @rule(booking_id=bookings, role=who)
    def cancel(self, booking_id, role):
        booking = Booking.objects.get(pk=booking_id)
        with contextlib.suppress(ApplicationError):
            booking_change_status(booking_id=booking_id, actor=self.actor(booking, role), to_status="cancelled")
        self.drain()

    @rule(booking_id=bookings, role=who, amount=part, payment_type=kind)
    def cancel_while_the_customer_pays(self, booking_id, role, amount, payment_type):
        # The payment lands at QPay after the cancel and before its settle job looks.
        booking = Booking.objects.get(pk=booking_id)
        with contextlib.suppress(ApplicationError):
            booking_change_status(booking_id=booking_id, actor=self.actor(booking, role), to_status="cancelled")
        self._pay(booking_id, amount, payment_type)
        self.drain()

    @rule(booking_id=bookings)
    def expire(self, booking_id):
        booking = Booking.objects.get(pk=booking_id)
        if booking.hold_expires_at is not None:
            booking_expire_hold(booking_id=booking_id, now=booking.hold_expires_at + timedelta(seconds=1))
        self.drain()

    @rule(booking_id=bookings, role=st.sampled_from(["artist", "staff"]))
    def reschedule(self, booking_id, role):
        booking = Booking.objects.get(pk=booking_id)
        with contextlib.suppress(ApplicationError):
            booking_reschedule(booking_id=booking_id, actor=self.actor(booking, role), slot=self.slot())
        self.drain()

    @rule(booking_id=bookings)
    def dispute(self, booking_id):
        booking = Booking.objects.get(pk=booking_id)
        with contextlib.suppress(ApplicationError):
            dispute_open_by_party(booking_id=booking_id, user=booking.customer, reason="not as agreed")
        self.drain()

    @rule(
        booking_id=bookings,
        outcome=st.sampled_from(["confirmed", "completed", "cancelled"]),
        share=st.sampled_from([None, Decimal("0.3"), Decimal("1")]),
    )
    def resolve(self, booking_id, outcome, share):
        dispute = Dispute.objects.filter(booking_id=booking_id, status=DisputeStatus.OPEN).first()
        if dispute is None:
            return
        rows = Payment.objects.filter(booking_id=booking_id)
        available = sum((p.amount - p.refunded_amount for p in rows), Decimal("0"))
        amount = (available * share).quantize(Decimal("1")) if share is not None and available > 0 else None
        with contextlib.suppress(ApplicationError):
            dispute_resolve(
                dispute_id=dispute.pk,
                actor=self.staff,
                resolution="decided",
                booking_status=outcome,
                refund_amount=amount or None,
            )
        self.drain()

    @rule(booking_id=bookings)
    def no_show(self, booking_id):
        booking = Booking.objects.get(pk=booking_id)
        if booking.status != BookingStatus.CONFIRMED:
            return
        # the session started: move it into the past (a slot of its own, so nothing overlaps)
        start = timezone.now() - timedelta(days=1, hours=3 * self.next_slot)
        self.next_slot += 1
        Booking.objects.filter(pk=booking_id).update(slot=start, ends_at=start + timedelta(hours=2))
        booking_change_status(booking_id=booking_id, actor=self.artist.user, to_status="no_show")
        self.drain()

    @rule(booking_id=bookings)
    def complete(self, booking_id):
        with contextlib.suppress(ApplicationError):
            booking_change_status(booking_id=booking_id, actor=self.artist.user, to_status="completed")
        self.drain()

    # --- invariants ---------------------------------------------------------------------------
    @invariant()
    def every_booking_balances_and_nothing_is_stranded(self):
        total_paid = Decimal("0")
        for booking in Booking.objects.all():
            books = ledger.deposit_ledger(booking=booking)
            for amount in (books.paid, books.refunded, books.kept, books.refund_pending, books.held):
                assert amount >= 0, (booking.pk, books)
            assert books.paid == books.refunded + books.kept + books.refund_pending + books.held
            if booking.status in ACTIVE_STATUSES:
                assert books.held <= books.required, (booking.pk, booking.status, books)
            else:
                assert books.held == 0, (booking.pk, booking.status, books)
                assert not open_invoices(booking_id=booking.pk).exists(), (booking.pk, booking.status)
            total_paid += books.paid
        assert total_paid == sum(Payment.objects.values_list("amount", flat=True))

    @invariant()
    def card_refunds_reached_qpay_and_the_report_agrees(self):
        assert not Refund.objects.filter(status=RefundStatus.QPAY_PENDING).exists()
        assert ledger.ledger_disagreements() == []
        for txn in Transaction.objects.filter(payments__isnull=False).distinct():
            assert txn.refunded_amount <= txn.paid_amount


PROPERTY_SETTINGS = hypothesis_settings(
    max_examples=int(os.environ.get("HYPOTHESIS_DEPOSIT_EXAMPLES", "15")),
    stateful_step_count=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.e2e
@pytest.mark.django_db
def test_random_deposit_lifecycles_keep_the_ledger_balanced(qpay_worker, settings):
    settings.BOOKING_MAX_UNPAID_HOLDS = settings.BOOKING_MAX_UNPAID_HOLDS_PER_ARTIST_DAY = 10_000
    DepositMachine.stack = qpay_worker
    run_state_machine_as_test(DepositMachine, settings=PROPERTY_SETTINGS)
