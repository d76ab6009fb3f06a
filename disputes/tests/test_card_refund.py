"""Refunds through QPay for card payments, over real HTTP: web app → worker → QPay sandbox."""

from __future__ import annotations

from decimal import Decimal

import requests
from procrastinate.contrib.django.models import ProcrastinateJob

from bookings.models import Booking, BookingStatus
from bookings.tests.factories import BookingFactory
from payments import card_refunds
from payments.models import RefundState, Transaction, TransactionStatus
from testing.clients import client_for
from testing.qpay_worker import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET


def paid_booking(customer, tattooist, qpay_worker, payment_type: str) -> Transaction:
    booking = BookingFactory(customer=customer, tattooist=tattooist, deposit_amount=Decimal("50000.00"))
    invoice = client_for(customer).post("/api/payments/create", {"bookingId": booking.pk}, format="json").json()
    assert qpay_worker.pay(invoice["qpayInvoiceId"], paymentType=payment_type, callback="never").status_code == 200
    # the pre-expiry/"I have paid" re-check path credits it without waiting for a callback
    from payments.services.checks import payment_recheck_before_expiry

    assert payment_recheck_before_expiry(booking=booking) is True
    return Transaction.objects.get(qpay_invoice_id=invoice["qpayInvoiceId"])


def dispute_and_refund(admin_user, txn: Transaction, amount: str, capture):
    admin = client_for(admin_user)
    dispute = admin.post(
        "/api/admin/disputes",
        {"bookingId": txn.booking_id, "reason": "Artist did not show up", "initiatorId": txn.booking.customer_id},
        format="json",
    )
    assert dispute.status_code == 201, dispute.json()
    response = admin.patch(
        f"/api/admin/disputes/{dispute.json()['id']}",
        {"resolution": "Deposit returned", "refundAmount": amount, "bookingStatus": "cancelled"},
        format="json",
    )
    # The card refund is a job written with the resolution: run its body as the worker would.
    for args in ProcrastinateJob.objects.filter(task_name="payments.refund_card").values_list("args", flat=True):
        card_refunds.refund_send(refund_id=args["refund_id"])
    return response


def sandbox_payment_status(qpay_worker, payment_id: str) -> str:
    token = requests.post(
        f"{qpay_worker.qpay_base_url}/auth/token", auth=(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET), timeout=10
    ).json()["access_token"]
    payment = requests.get(
        f"{qpay_worker.qpay_base_url}/payment/{payment_id}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    return payment.json()["payment_status"]


def test_a_full_refund_of_a_card_payment_goes_through_qpay(
    customer, tattooist, admin_user, qpay_worker, django_capture_on_commit_callbacks
):
    txn = paid_booking(customer, tattooist, qpay_worker, "CARD")
    response = dispute_and_refund(admin_user, txn, "50000.00", django_capture_on_commit_callbacks)
    assert response.status_code == 200, response.json()
    txn.refresh_from_db()
    assert (txn.status, txn.refunded_amount, txn.refund_state) == (
        TransactionStatus.REFUNDED,
        Decimal("50000.00"),
        RefundState.QPAY_REFUNDED,
    )
    assert Booking.objects.get(pk=txn.booking_id).status == BookingStatus.CANCELLED
    assert sandbox_payment_status(qpay_worker, txn.qpay_payment_id) == "REFUNDED"


def test_a_bank_app_payment_refund_is_queued_for_staff(
    customer, tattooist, admin_user, qpay_worker, django_capture_on_commit_callbacks
):
    txn = paid_booking(customer, tattooist, qpay_worker, "P2P")
    assert dispute_and_refund(admin_user, txn, "50000.00", django_capture_on_commit_callbacks).status_code == 200
    txn.refresh_from_db()
    assert (txn.status, txn.refund_state) == (TransactionStatus.REFUNDED, RefundState.MANUAL_REQUIRED)
    assert sandbox_payment_status(qpay_worker, txn.qpay_payment_id) == "PAID"


def test_a_partial_card_refund_stays_manual_because_qpay_refunds_whole_payments(
    customer, tattooist, admin_user, qpay_worker, django_capture_on_commit_callbacks
):
    txn = paid_booking(customer, tattooist, qpay_worker, "CARD")
    assert dispute_and_refund(admin_user, txn, "20000.00", django_capture_on_commit_callbacks).status_code == 200
    txn.refresh_from_db()
    assert (txn.status, txn.refund_state) == (TransactionStatus.PARTIALLY_REFUNDED, RefundState.MANUAL_REQUIRED)
    assert sandbox_payment_status(qpay_worker, txn.qpay_payment_id) == "PAID"
