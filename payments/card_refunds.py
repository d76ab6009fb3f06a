"""Card refunds through QPay: the `payments.refund_card` job's body (docs/deposits.md, "Refunds, per
payment row"). MOVES MONEY.

A refund QPay made must never be made again by staff. The web app can give up on an answer that
QPay still turns into a refund (a timeout; WORKER_REFUND_TIMEOUT_SECONDS is longer than the worker
waits on QPay with a login, but a network can still lose the answer), and QPay refuses the retry of
a payment it already refunded. So QPay is asked for the payment itself (the worker's
`/worker/qpay/payment`, QPay's `GET /v2/payment/{id}`):

- before a refund is sent again (`qpay_sent_at` says an earlier attempt sent it): already
  `REFUNDED` → the refund is done, nothing is sent;
- before a refusal hands the refund to staff: `REFUNDED` → done, not `manual_required`.

One job runs at a time per refund (its lock `refund-<id>`, ledger._refund_payment), and every move
is a compare-and-set (ledger.refund_move), so two runs cannot both move it.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from payments import ledger, worker_client
from payments.models import Refund, RefundStatus, Transaction
from tattoo.core.errors import ApplicationError, UpstreamUnavailable

log = logging.getLogger("inkbook.payments.refunds")

QPAY_REFUNDED = "REFUNDED"


def refund_send(*, refund_id: int, last_attempt: bool = False) -> str:
    """Ask QPay (through the worker) to refund one whole CARD payment, outside any transaction.

    QPay accepting, or QPay saying the payment is refunded already → `qpay_refunded`; QPay
    refusing a payment it did not refund → `manual_required` for staff; the worker unreachable →
    UpstreamUnavailable, so the job retries with backoff, and on its last attempt the refund goes
    to the manual queue (with a note to look in the merchant portal first) instead of being lost
    in a failed job."""
    refund = Refund.objects.select_related("payment").filter(pk=refund_id).first()
    if refund is None or refund.status != RefundStatus.QPAY_PENDING:
        return "none"
    payment_id = refund.payment.qpay_payment_id
    try:
        if refund.qpay_sent_at is not None and _refunded_at_qpay(payment_id):
            return _done(refund, note="QPay had refunded the payment on an earlier attempt")
        Refund.objects.filter(pk=refund.pk, qpay_sent_at=None).update(qpay_sent_at=timezone.now())
        worker_client.refund_payment(qpay_payment_id=payment_id, note=f"Inkbook refund, booking {refund.booking_id}")
    except UpstreamUnavailable:
        if not last_attempt:
            raise
        return _to_staff(refund_id, "worker unreachable, retries over: look in the merchant portal before refunding")
    except ApplicationError as exc:
        # QPay said no. It says no to a payment it already refunded, too (an attempt whose answer
        # was lost): ask it before handing the refund to staff, who would pay it a second time.
        log.warning("card refund %s refused: %s", refund_id, exc.message)
        try:
            refunded = _refunded_at_qpay(payment_id)
        except UpstreamUnavailable:
            if not last_attempt:
                raise  # ask again on the next attempt
            refunded = False
        except ApplicationError:
            refunded = False  # QPay does not know the payment either: staff look
        if refunded:
            return _done(refund, note="QPay had refunded the payment already")
        return _to_staff(refund_id, exc.message or exc.code)
    return _done(refund, note="QPay accepted the card refund")


def _refunded_at_qpay(payment_id: str) -> bool:
    return worker_client.payment_status(qpay_payment_id=payment_id) == QPAY_REFUNDED


def _done(refund: Refund, *, note: str) -> str:
    ledger.refund_move(refund_id=refund.pk, to_status=RefundStatus.QPAY_REFUNDED, note=note)
    _close_reopened_invoice(refund)
    return RefundStatus.QPAY_REFUNDED


def _to_staff(refund_id: int, error: str) -> str:
    ledger.refund_move(refund_id=refund_id, to_status=RefundStatus.MANUAL_REQUIRED, qpay_error=error)
    return RefundStatus.MANUAL_REQUIRED


def _close_reopened_invoice(refund: Refund) -> None:
    """A refunded card payment can leave its invoice short of its amount, and QPay may then take
    payment on it again (the sandbox reopens it). For a booking that is over, cancel it so its QR
    stays dead; best effort (it is refused when the invoice is still closed)."""
    txn = Transaction.objects.select_related("booking").get(pk=refund.payment.transaction_id)
    if txn.booking.is_active or not txn.qpay_invoice_id:
        return
    try:
        worker_client.cancel_invoice(qpay_invoice_id=txn.qpay_invoice_id, reference=f"T{txn.pk}")
    except ApplicationError as exc:
        log.info("invoice %s not cancelled after a card refund: %s", txn.qpay_invoice_id, exc.code)
        return
    now = timezone.now()
    Transaction.objects.filter(pk=txn.pk, invoice_cancelled_at=None).update(invoice_cancelled_at=now, updated_at=now)
