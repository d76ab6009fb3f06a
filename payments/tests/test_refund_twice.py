"""A card refund is paid once (issue 26, item 2): the web app gave up on a slow worker answer while
QPay made the refund; the job's retry must find the refund made, not send it again and, refused,
hand it to staff to pay a second time (docs/deposits.md, "Refunds, per payment row").

Real parts: the QPay sandbox and worker processes, a delaying proxy in front of the worker (as in
test_stranding_bugs.py), the refund job run by an in-process Procrastinate worker."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import requests
from django.db import connection
from procrastinate.contrib.django.models import ProcrastinateJob

from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from payments.models import LedgerEvent, Refund, RefundStatus, Transaction
from payments.services.checks import payment_recheck_before_expiry
from testing.clients import client_for
from testing.qpay import ThreadedServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REFUND_PATH = "/worker/qpay/refund"


class SlowRefundProxy:
    """A hop in front of the QPay worker that passes every request on; the first refund's answer
    is held back until `release()` (after the web app has given up on it), as a worker waiting on a
    slow QPay would hold it."""

    def __init__(self, worker_url: str):
        self.worker_url = worker_url
        self.released = threading.Event()
        self.refunds_seen = 0

    def release(self) -> None:
        self.released.set()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["Content-Type"] = environ.get("CONTENT_TYPE", "application/json")
        answer = requests.post(self.worker_url + environ["PATH_INFO"], data=body, headers=headers, timeout=30)
        if environ["PATH_INFO"] == REFUND_PATH:
            self.refunds_seen += 1
            if self.refunds_seen == 1:
                self.released.wait(timeout=30)  # QPay refunded; the answer comes too late
        passed = [(k, v) for k, v in answer.headers.items() if k.lower().startswith("webhook-") or k == "Content-Type"]
        start_response(f"{answer.status_code} X", passed)
        return [answer.content]


def sandbox_refund_calls(qpay_worker) -> int:
    return sum(n for route, n in qpay_worker.calls().items() if route.startswith("DELETE /payment/refund/"))


def make_refund_jobs_due() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET scheduled_at = now() "
            "WHERE task_name = 'payments.refund_card' AND status = 'todo'"
        )


def test_a_card_refund_whose_answer_came_too_late_is_made_once_and_never_handed_to_staff(
    customer, tattooist, qpay_worker, run_jobs, settings
):
    booking = BookingFactory(customer=customer, tattooist=tattooist, deposit_amount=Decimal("50000.00"))
    invoice = client_for(customer).post("/api/payments/create", {"bookingId": booking.pk}, format="json").json()
    assert qpay_worker.pay(invoice["qpayInvoiceId"], paymentType="CARD", callback="never").status_code == 200
    assert payment_recheck_before_expiry(booking=booking) is True  # paid by card
    txn = Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])
    refunds_before = sandbox_refund_calls(qpay_worker)

    # The artist cancels: the settle job records a card refund and its job (one at a time per refund).
    cancel = client_for(tattooist.user).patch(f"/api/bookings/{booking.pk}", {"status": "cancelled"}, format="json")
    assert cancel.status_code == 200, cancel.json()

    proxy = SlowRefundProxy(qpay_worker.worker_url)
    with ThreadedServer(proxy) as server:
        settings.QPAY_WORKER_URL = server.url
        # the web app gives up before the answer comes
        settings.WORKER_REFUND_TIMEOUT_SECONDS = settings.WORKER_TIMEOUT_SECONDS = 0.5
        run_jobs()  # the settle job, then the refund's first attempt: timed out, retried later
        refund = Refund.objects.get(booking=booking)
        job = ProcrastinateJob.objects.get(task_name="payments.refund_card")
        assert (job.status, job.attempts) == ("todo", 1)
        assert refund.status == RefundStatus.QPAY_PENDING
        assert sandbox_refund_calls(qpay_worker) == refunds_before + 1  # QPay did refund it

        proxy.release()
        make_refund_jobs_due()
        run_jobs()  # the retry

    assert ProcrastinateJob.objects.get(pk=job.pk).status == "succeeded"
    refund.refresh_from_db()
    assert refund.status == RefundStatus.QPAY_REFUNDED
    assert sandbox_refund_calls(qpay_worker) == refunds_before + 1  # once at QPay, not again
    moves = list(LedgerEvent.objects.filter(refund=refund, kind="refund_moved").values_list("from_state", "to_state"))
    assert moves == [("qpay_pending", "qpay_refunded")]  # never manual_required
    txn.refresh_from_db()
    assert (txn.refund_state, txn.refunded_amount) == ("qpay_refunded", Decimal("50000.00"))
    assert Booking.objects.get(pk=booking.pk).payment_status == "refunded"
    assert ProcrastinateJob.objects.get(pk=job.pk).lock == f"refund-{refund.pk}"  # one run at a time


def test_a_refund_qpay_refuses_because_it_made_it_already_is_done_not_handed_to_staff(
    customer, tattooist, qpay_worker, run_jobs
):
    from testing.qpay_worker import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

    booking = BookingFactory(customer=customer, tattooist=tattooist, deposit_amount=Decimal("50000.00"))
    invoice = client_for(customer).post("/api/payments/create", {"bookingId": booking.pk}, format="json").json()
    qpay_worker.pay(invoice["qpayInvoiceId"], paymentType="CARD", callback="never")
    assert payment_recheck_before_expiry(booking=booking) is True
    txn = Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])
    # Refunded at QPay by a run whose trace was lost (say, before qpay_sent_at existed).
    token = requests.post(
        f"{qpay_worker.qpay_base_url}/auth/token", auth=(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET), timeout=10
    ).json()["access_token"]
    made = requests.delete(
        f"{qpay_worker.qpay_base_url}/payment/refund/{txn.qpay_payment_id}",
        json={"note": "earlier run"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert made.status_code == 200

    client_for(tattooist.user).patch(f"/api/bookings/{booking.pk}", {"status": "cancelled"}, format="json")
    run_jobs()  # settle, then the refund: QPay refuses it (already refunded) and says REFUNDED

    refund = Refund.objects.get(booking=booking)
    assert refund.status == RefundStatus.QPAY_REFUNDED
    assert not LedgerEvent.objects.filter(refund=refund, to_state="manual_required").exists()


def test_the_web_waits_for_a_refund_longer_than_the_worker_waits_on_qpay_with_a_login():
    from django.conf import settings

    from qpay_worker.qpay_client import CONNECT_TIMEOUT, READ_TIMEOUT

    one_call_and_a_login = 2 * (CONNECT_TIMEOUT + READ_TIMEOUT)  # what the worker may spend on QPay
    web_waits = getattr(settings, "WORKER_REFUND_TIMEOUT_SECONDS", settings.WORKER_TIMEOUT_SECONDS)
    assert web_waits > one_call_and_a_login
