"""Payment jobs (docs/jobs.md, "Payment checks"; docs/deposits.md): one bounded payment check at
each lifecycle point where a lost callback would matter, each scheduled for its moment (never a
periodic sweep of invoices: QPay forbids polling); settling a booking's deposit when it ends; card
refunds through the worker. Bodies call payments services; they retry with backoff while the QPay
worker cannot be reached, then end failed for staff to see and retry."""

from __future__ import annotations

from procrastinate import JobContext

from payments import card_refunds
from payments.models import Transaction
from payments.services import checks
from tattoo.core import jobs
from tattoo.core.jobs import OUTSIDE_SERVICE_RETRY, app


@app.task(name="payments.check_before_invoice_cancel", retry=OUTSIDE_SERVICE_RETRY)
def check_before_invoice_cancel(booking_id: int) -> str:
    return checks.payment_check_before_invoice_cancel(booking_id=booking_id)


@app.task(name="payments.check_at_invoice_expiry", retry=OUTSIDE_SERVICE_RETRY)
def check_at_invoice_expiry(transaction_id: int) -> str:
    outcome = checks.payment_check_at_invoice_expiry(transaction_id=transaction_id)
    if outcome == "not_due":  # started a moment early by the database's clock: come back on time
        expires_at = Transaction.objects.filter(pk=transaction_id).values_list("expires_at", flat=True).first()
        if expires_at is not None:
            jobs.enqueue("payments.check_at_invoice_expiry", at=expires_at, transaction_id=transaction_id)
    return outcome


@app.task(name="payments.check_before_session", retry=OUTSIDE_SERVICE_RETRY)
def check_before_session(booking_id: int, slot: str) -> str:
    return checks.payment_check_before_session(booking_id=booking_id, slot=slot)


@app.task(name="payments.settle_deposit", retry=OUTSIDE_SERVICE_RETRY)
def settle_deposit(booking_id: int) -> dict:
    return checks.payment_settle_booking(booking_id=booking_id)


@app.task(name="payments.refund_card", retry=OUTSIDE_SERVICE_RETRY, pass_context=True)
def refund_card(context: JobContext, refund_id: int) -> str:
    # attempts counts the runs before this one (no retry once it reaches max_attempts); on the
    # last run a still-unreachable worker hands the refund to staff instead of a failed job.
    last = context.job.attempts >= (OUTSIDE_SERVICE_RETRY.max_attempts or 0)
    return card_refunds.refund_send(refund_id=refund_id, last_attempt=last)
