"""The transaction (deposit invoice) status machine: the one transition table, and the one function
every status write of a Transaction goes through (docs/deposits.md).

A transaction is one QPay invoice for a booking's deposit. What moves it:
- the payment notification or check (payments.services.verdict): money arrived, in full or not;
- the invoice's cancellation (a hold that ended unpaid): pending → cancelled;
- the deposit ledger (payments.ledger): refunds recorded against what was paid.
Money that reaches a cancelled invoice is real and is recorded (the QPay cancel may lose the race
against the payment), so cancelled is not a dead end.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from payments.models import Transaction, TransactionStatus
from tattoo.core.errors import ConflictError

T = TransactionStatus
_REFUNDS = frozenset({T.REFUNDED, T.PARTIALLY_REFUNDED})

# from status -> statuses it may move to (staying where it is is always allowed)
TRANSITIONS: dict[str, frozenset[str]] = {
    T.PENDING: frozenset({T.PAID, T.UNDERPAID, T.CANCELLED}) | _REFUNDS,
    T.UNDERPAID: frozenset({T.PAID}) | _REFUNDS,  # a top-up completes it; or what came is returned
    T.CANCELLED: frozenset({T.PAID, T.UNDERPAID}) | _REFUNDS,  # paid while (or after) it was cancelled
    T.PAID: _REFUNDS,
    # More money on a refunded invoice, or a refund undone by the ledger's recount, moves between these.
    T.PARTIALLY_REFUNDED: _REFUNDS,
    T.REFUNDED: _REFUNDS,
}


def transaction_move_refusal(from_status: str, to_status: str) -> ConflictError | None:
    if from_status == to_status or to_status in TRANSITIONS.get(from_status, frozenset()):
        return None
    return ConflictError(
        _("A %(from_status)s payment cannot become %(to_status)s.")
        % {"from_status": _status_word(from_status), "to_status": _status_word(to_status)},
        code="transaction_state",
    )


def _status_word(value: str) -> str:
    try:
        return str(TransactionStatus(value).label).lower()
    except ValueError:
        return value


def transaction_set_status(txn: Transaction, to_status: str) -> None:
    """Set `txn.status` (the caller holds the row lock and saves it in its transaction)."""
    refusal = transaction_move_refusal(txn.status, to_status)
    if refusal is not None:
        raise refusal
    txn.status = to_status
