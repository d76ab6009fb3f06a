"""Deposit payments, one module per seam; callers import from the module that owns the function:

- ``payments.services.invoices``: paying (payment_create, payment_refusal, payment_invoice_cancel);
- ``payments.services.verdict``: applying QPay's verdict (payment_notification_apply, late payments,
  payment_unwanted_decide);
- ``payments.services.checks``: the bounded re-checks and lifecycle checks (QPay forbids polling).

Which invoices are open is one selector, ``payments.selectors.open_invoices``.

Locking order everywhere: booking row, then transaction row (``booking_move`` locks the booking
again, which is re-entrant inside one transaction). No transaction is ever held open across a
call to the worker.
"""
