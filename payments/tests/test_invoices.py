"""Paying a deposit (payments/services/invoices.py): POST /api/payments/create makes one QPay invoice
for the stored deposit through the worker, reuses it while it is open, and replaces it once expired."""

import base64
from decimal import Decimal

import pytest
import requests

from bookings.models import Booking, BookingEvent, BookingStatus, PaymentStatus
from bookings.tests.factories import BookingFactory
from payments.models import Transaction, TransactionStatus
from testing.clients import client_for
from testing.qpay import free_port
from testing.races import hammer

URL = "/api/payments/create"


@pytest.fixture
def booking(customer, tattooist):
    return BookingFactory(customer=customer, tattooist=tattooist, deposit_amount=Decimal("50000.00"))


def test_the_customer_gets_a_qpay_invoice_for_the_stored_deposit(qpay_worker, customer, booking):
    response = client_for(customer).post(URL, {"bookingId": booking.pk, "amount": 1}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {
        "transactionId",
        "qpayInvoiceId",
        "qrUrl",
        "qrText",
        "checkoutUrl",
        "expiresAt",
        "amount",
        "status",
    }
    assert body["amount"] == "50000.00"  # the booking's deposit, never the client's number
    assert body["status"] == "pending"
    assert body["qrText"].startswith("000201")
    png = base64.b64decode(body["qrUrl"].removeprefix("data:image/png;base64,"))
    assert png.startswith(b"\x89PNG")
    assert body["bankLinks"][0]["link"].endswith(f"://q?qPay_QRcode={body['qrText']}")
    # The short URL leads to the sandbox's page for this invoice.
    page = requests.get(body["checkoutUrl"], timeout=10)
    assert page.status_code == 200
    assert body["qpayInvoiceId"] in page.text
    invoice = Transaction.objects.get(pk=body["transactionId"])
    assert invoice.qpay_invoice_id == body["qpayInvoiceId"]
    booking.refresh_from_db()
    assert booking.payment_status == PaymentStatus.PENDING
    event = BookingEvent.objects.get(booking=booking)
    assert (event.from_payment_status, event.to_payment_status) == ("unpaid", "pending")


def test_an_open_invoice_is_returned_again_without_calling_qpay(qpay_worker, customer, booking):
    first = client_for(customer).post(URL, {"bookingId": booking.pk}, format="json")
    invoices_before = qpay_worker.calls().get("POST /invoice", 0)
    again = client_for(customer).post(URL, {"bookingId": booking.pk}, format="json")
    assert again.status_code == 200
    assert again.json()["qpayInvoiceId"] == first.json()["qpayInvoiceId"]
    assert qpay_worker.calls().get("POST /invoice", 0) == invoices_before
    assert Transaction.objects.filter(booking=booking).count() == 1


def test_an_expired_invoice_is_cancelled_at_qpay_and_replaced(qpay_worker, customer, booking):
    first = client_for(customer).post(URL, {"bookingId": booking.pk}, format="json").json()
    Transaction.objects.filter(pk=first["transactionId"]).update(expires_at="2000-01-01T00:00:00Z")
    again = client_for(customer).post(URL, {"bookingId": booking.pk}, format="json")
    assert again.status_code == 201
    assert again.json()["qpayInvoiceId"] != first["qpayInvoiceId"]
    assert Transaction.objects.get(pk=first["transactionId"]).status == TransactionStatus.CANCELLED
    invoice = requests.get(f"{qpay_worker.sandbox_url}/sandbox/invoices/{first['qpayInvoiceId']}", timeout=10)
    assert "CANCELED" in invoice.text


def test_an_already_paid_booking_is_409(qpay_worker, customer, booking):
    Booking.objects.filter(pk=booking.pk).update(payment_status=PaymentStatus.PAID, status=BookingStatus.CONFIRMED)
    response = client_for(customer).post(URL, {"bookingId": booking.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_paid"


def test_an_expired_booking_cannot_be_paid(qpay_worker, customer, booking):
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.EXPIRED)
    response = client_for(customer).post(URL, {"bookingId": booking.pk}, format="json")
    assert response.status_code == 409


def test_only_the_bookings_customer_may_pay(qpay_worker, booking, other_customer, tattooist, admin_user):
    assert client_for(other_customer).post(URL, {"bookingId": booking.pk}, format="json").status_code == 403
    assert client_for(tattooist.user).post(URL, {"bookingId": booking.pk}, format="json").status_code == 403
    assert client_for(admin_user).post(URL, {"bookingId": booking.pk}, format="json").status_code == 403
    assert Transaction.objects.count() == 0


def test_anonymous_is_401_unknown_is_404_and_bad_input_is_400(api_client, customer):
    assert api_client.post(URL, {"bookingId": 1}, format="json").status_code == 401
    assert client_for(customer).post(URL, {"bookingId": 987654}, format="json").status_code == 404
    response = client_for(customer).post(URL, {"bookingId": "x"}, format="json")
    assert response.status_code == 400
    assert "bookingId" in response.json()["fields"]


def test_worker_down_is_503_with_nothing_half_written(settings, customer, booking):
    settings.QPAY_WORKER_URL = f"http://127.0.0.1:{free_port()}"
    response = client_for(customer).post(URL, {"bookingId": booking.pk}, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "upstream_unavailable"
    assert Transaction.objects.count() == 0
    booking.refresh_from_db()
    assert booking.payment_status == PaymentStatus.UNPAID
    assert BookingEvent.objects.count() == 0


def test_a_worker_with_another_secret_is_503_and_writes_nothing(qpay_worker, settings, customer, booking):
    settings.WEB_TO_WORKER_SECRETS = ["a-secret-the-worker-does-not-know"]
    response = client_for(customer).post(URL, {"bookingId": booking.pk}, format="json")
    assert response.status_code == 503
    assert Transaction.objects.count() == 0


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_make_one_invoice(qpay_worker):
    booking = BookingFactory(deposit_amount=Decimal("50000.00"))
    client = client_for(booking.customer)
    invoices_before = qpay_worker.calls().get("POST /invoice", 0)

    def create(i):
        return client.post(URL, {"bookingId": booking.pk}, format="json").status_code

    results = hammer(create, n=8)
    assert results.count(201) == 1, results
    assert set(results) <= {200, 201, 409}, results
    assert Transaction.objects.filter(booking=booking).count() == 1
    assert qpay_worker.calls().get("POST /invoice", 0) == invoices_before + 1


def test_a_deposit_with_cents_is_refused_not_rounded(qpay_worker, customer, tattooist):
    booking = BookingFactory(customer=customer, tattooist=tattooist, deposit_amount=Decimal("50000.50"))
    response = client_for(customer).post(URL, {"bookingId": booking.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "deposit_not_whole"
    assert Transaction.objects.count() == 0


def test_a_qpay_refusal_is_503_and_leaves_no_claim(qpay_stack, settings, customer, booking):
    from qpay_worker.app import WorkerApp
    from testing.qpay import ThreadedServer

    # A worker whose QPay merchant has the wrong invoice code: QPay answers 400 INVOICE_CODE_INVALID.
    app = WorkerApp(qpay_stack.worker_config(qpay_invoice_code="NOT_OURS"))
    with ThreadedServer(app) as server:
        settings.QPAY_WORKER_URL = server.url
        response = client_for(customer).post(URL, {"bookingId": booking.pk}, format="json")
    assert response.status_code == 503
    assert Transaction.objects.count() == 0
    booking.refresh_from_db()
    assert booking.payment_status == PaymentStatus.UNPAID
