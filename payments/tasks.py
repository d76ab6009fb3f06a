"""Payment jobs (docs/jobs.md, "Payment checks"): one bounded payment check at each lifecycle point
where a lost callback would matter, each scheduled for its moment; never a periodic sweep of
invoices (QPay forbids polling). Bodies call payments.services; they retry with backoff while the
QPay worker cannot be reached, then end failed for staff to see and retry."""

from __future__ import annotations

from payments import services
from payments.models import Transaction
from tattoo.core import jobs
from tattoo.core.jobs import OUTSIDE_SERVICE_RETRY, app


@app.task(name="payments.check_before_invoice_cancel", retry=OUTSIDE_SERVICE_RETRY)
def check_before_invoice_cancel(booking_id: int) -> str:
    return services.payment_check_before_invoice_cancel(booking_id=booking_id)


@app.task(name="payments.check_at_invoice_expiry", retry=OUTSIDE_SERVICE_RETRY)
def check_at_invoice_expiry(transaction_id: int) -> str:
    outcome = services.payment_check_at_invoice_expiry(transaction_id=transaction_id)
    if outcome == "not_due":  # started a moment early by the database's clock: come back on time
        expires_at = Transaction.objects.filter(pk=transaction_id).values_list("expires_at", flat=True).first()
        if expires_at is not None:
            jobs.enqueue("payments.check_at_invoice_expiry", at=expires_at, transaction_id=transaction_id)
    return outcome


@app.task(name="payments.check_before_session", retry=OUTSIDE_SERVICE_RETRY)
def check_before_session(booking_id: int, slot: str) -> str:
    return services.payment_check_before_session(booking_id=booking_id, slot=slot)


@app.task(name="payments.cancel_superseded_invoices", retry=OUTSIDE_SERVICE_RETRY)
def cancel_superseded_invoices(transaction_ids: list[int]) -> int:
    return services.payment_invoices_cancel_superseded(transaction_ids=transaction_ids)
