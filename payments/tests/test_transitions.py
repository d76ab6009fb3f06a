"""The transaction status table (payments/transitions.py): every status has a row, the moves the
flows make are in it, and a move outside it is a 409 that changes nothing."""

from __future__ import annotations

import pytest

from payments.models import TransactionStatus as T
from payments.tests.factories import TransactionFactory
from payments.transitions import TRANSITIONS, transaction_move_refusal, transaction_set_status
from tattoo.core.errors import ConflictError


def test_every_status_has_a_row():
    assert set(TRANSITIONS) == set(T.values)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (T.PENDING, T.PAID),
        (T.PENDING, T.UNDERPAID),
        (T.PENDING, T.CANCELLED),
        (T.UNDERPAID, T.PAID),
        (T.CANCELLED, T.PAID),
        (T.PAID, T.PARTIALLY_REFUNDED),
        (T.PARTIALLY_REFUNDED, T.REFUNDED),
        (T.PAID, T.PAID),
    ],
)
def test_the_flows_moves_are_allowed(before, after):
    assert transaction_move_refusal(before, after) is None


@pytest.mark.parametrize(
    ("before", "after"),
    [(T.PAID, T.PENDING), (T.PAID, T.CANCELLED), (T.REFUNDED, T.PAID), (T.UNDERPAID, T.CANCELLED)],
)
@pytest.mark.django_db
def test_a_move_outside_the_table_is_a_409_and_leaves_the_row(before, after):
    txn = TransactionFactory(status=before)
    with pytest.raises(ConflictError) as caught:
        transaction_set_status(txn, after)
    assert caught.value.code == "transaction_state"
    assert caught.value.status_code == 409
    assert txn.status == before
