import json
import time
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.test import Client

import qpay_signing as signing
from bookings.models import Booking, BookingEvent, BookingStatus, PaymentStatus
from bookings.tests.factories import BookingFactory, bookable_slot
from payments.models import RefundState, Transaction, TransactionFlag, TransactionStatus
from payments.tests.factories import TransactionFactory
from payments.tests.forgeries import as_meta, forged_variants
from testing.races import hammer

URL = "/api/payments/notify"


def notification(txn, *, paid="50000.00", currency="MNT", payment_id="912213777662363", status="paid", **extra):
    return {
        "qpayInvoiceId": txn.qpay_invoice_id,
        "reference": f"T{txn.pk}",
        "status": status,
        "paidAmount": paid,
        "currency": currency,
        "qpayPaymentId": payment_id,
        "paymentType": "P2P",
        "paidAt": None,
        "checkedAt": "2026-11-25T04:00:00+00:00",
        "paymentIds": [payment_id],
        "raw": {"count": 1, "paid_amount": paid, "rows": [{"payment_id": payment_id, "payment_status": "PAID"}]},
        **extra,
    }


def sign(body: bytes, secrets=None, **kw) -> dict:
    """Headers as the worker signs a notification to this endpoint (qpay_signing/__init__.py)."""
    secrets = settings.WORKER_TO_WEB_SECRETS if secrets is None else secrets
    return signing.sign(body, secrets, direction=signing.TO_WEB, method="POST", path=URL, **kw)


def post(payload, *, client=None, headers=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = headers if headers is not None else sign(body)
    return (client or Client()).post(URL, data=body, content_type="application/json", **as_meta(headers))


def snapshot(txn):
    txn.refresh_from_db()
    booking = Booking.objects.get(pk=txn.booking_id)
    return (
        txn.status,
        txn.paid_amount,
        txn.qpay_payment_id,
        txn.raw_payload,
        txn.flag,
        booking.status,
        booking.payment_status,
        BookingEvent.objects.filter(booking=booking).count(),
    )


@pytest.fixture
def txn(db):
    return TransactionFactory(booking__deposit_amount=Decimal("50000.00"))


def test_a_paid_notification_confirms_the_booking_with_an_audit_row(txn):
    response = post(notification(txn))
    assert response.status_code == 200, response.content
    assert response.json() == {"result": "processed"}
    txn.refresh_from_db()
    assert txn.status == TransactionStatus.PAID
    assert txn.paid_amount == Decimal("50000.00")
    assert txn.qpay_payment_id == "912213777662363"
    assert txn.payment_type == "P2P"
    assert txn.raw_payload["raw"]["rows"][0]["payment_id"] == "912213777662363"
    assert txn.processed_at is not None
    assert txn.paid_at is not None
    booking = txn.booking
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == (BookingStatus.CONFIRMED, PaymentStatus.PAID)
    event = BookingEvent.objects.get(booking=booking)
    assert (event.from_status, event.to_status, event.to_payment_status) == ("pending", "confirmed", "paid")
    assert "912213777662363" in event.note


@pytest.mark.parametrize("variant", list(forged_variants(b"{}", ["x"], direction=signing.TO_WEB, path=URL).keys()))
def test_it_refuses_forged_signatures_with_zero_writes(txn, variant):
    body = json.dumps(notification(txn)).encode()
    forged_body, headers = forged_variants(
        body,
        settings.WORKER_TO_WEB_SECRETS,
        direction=signing.TO_WEB,
        path=URL,
        other_secrets=settings.WEB_TO_WORKER_SECRETS,
    )[variant]
    before = snapshot(txn)
    response = post(None, raw=forged_body, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert snapshot(txn) == before


def test_it_refuses_a_missing_signature_and_malformed_json_with_401_not_400(txn):
    response = Client().post(URL, data=b"{not json", content_type="application/json")
    assert response.status_code == 401
    assert snapshot(txn)[0] == TransactionStatus.PENDING


@pytest.mark.parametrize(("offset", "expected"), [(-301, 401), (301, 401), (-299, 200), (299, 200)])
def test_it_holds_the_timestamp_tolerance_both_ways(txn, offset, expected):
    body = json.dumps(notification(txn)).encode()
    signed_at = time.time()
    headers = sign(body, timestamp=int(signed_at))
    with time_machine.travel(signed_at + offset, tick=False):
        response = post(None, raw=body, headers=headers)
    assert response.status_code == expected
    txn.refresh_from_db()
    assert txn.status == (TransactionStatus.PAID if expected == 200 else TransactionStatus.PENDING)


def test_it_accepts_the_old_secret_during_rotation(txn, settings):
    settings.WORKER_TO_WEB_SECRETS = ["brand-new-secret", "the-old-secret"]
    body = json.dumps(notification(txn)).encode()
    assert post(None, raw=body, headers=sign(body, ["the-old-secret"])).status_code == 200
    settings.WORKER_TO_WEB_SECRETS = ["brand-new-secret"]
    replay = json.dumps(notification(txn, payment_id="1")).encode()
    assert post(None, raw=replay, headers=sign(replay, ["the-old-secret"])).status_code == 401


def test_a_notification_id_is_accepted_once_within_the_window(txn):
    body = json.dumps(notification(txn)).encode()
    headers = sign(body)
    assert post(None, raw=body, headers=headers).json() == {"result": "processed"}
    again = post(None, raw=body, headers=headers)
    assert again.status_code == 401
    assert again.json()["code"] == "bad_signature"
    # the worker's own retry carries a fresh id: a duplicate, answered 200, credited once
    assert post(None, raw=body, headers=sign(body)).json() == {"result": "duplicate"}


def test_a_replay_days_later_changes_nothing(txn):
    assert post(notification(txn)).json() == {"result": "processed"}
    before = snapshot(txn)
    with time_machine.travel(time.time() + 29 * 86400, tick=False):
        response = post(notification(txn))
    assert response.status_code == 200
    assert response.json() == {"result": "duplicate"}
    assert snapshot(txn) == before


def test_an_unpaid_verdict_changes_nothing(txn):
    before = snapshot(txn)
    response = post(notification(txn, status="unpaid", paid="0", payment_id=""))
    assert response.json() == {"result": "ignored"}
    assert snapshot(txn) == before


def test_an_unknown_invoice_is_404_with_zero_writes(txn):
    payload = notification(txn)
    payload["qpayInvoiceId"] = "00000000-0000-0000-0000-000000000000"
    before = snapshot(txn)
    assert post(payload).status_code == 404
    assert snapshot(txn) == before


def test_a_reference_that_does_not_match_the_invoice_is_refused(txn):
    assert post(notification(txn, reference="T999999")).status_code == 404
    assert snapshot(txn)[0] == TransactionStatus.PENDING


def test_bad_shape_after_a_good_signature_is_400(txn):
    response = post({"qpayInvoiceId": txn.qpay_invoice_id, "status": "paid", "paidAmount": "lots"})
    assert response.status_code == 400
    assert "paidAmount" in response.json()["fields"]


@pytest.mark.parametrize(
    ("paid", "txn_status", "flag", "booking_status", "payment_status", "result"),
    [
        ("49999.00", "underpaid", "underpaid", "pending", "pending", "underpaid"),
        ("50000.00", "paid", "", "confirmed", "paid", "processed"),
        # what is above the deposit is refunded at once (docs/deposits.md): the booking stays paid
        ("50001.00", "partially_refunded", "overpaid", "confirmed", "paid", "processed"),
        ("75000.00", "partially_refunded", "overpaid", "confirmed", "paid", "processed"),
        ("50000", "paid", "", "confirmed", "paid", "processed"),
    ],
)
def test_amounts_are_compared_with_the_stored_deposit(
    txn, paid, txn_status, flag, booking_status, payment_status, result
):
    response = post(notification(txn, paid=paid))
    assert response.json() == {"result": result}
    txn.refresh_from_db()
    booking = Booking.objects.get(pk=txn.booking_id)
    assert (txn.status, txn.flag) == (txn_status, flag)
    assert txn.paid_amount == Decimal(paid)
    assert (booking.status, booking.payment_status) == (booking_status, payment_status)


def test_two_partial_payments_adding_up_to_the_deposit_confirm(txn):
    assert post(notification(txn, paid="20000.00", payment_id="111")).json() == {"result": "underpaid"}
    assert post(notification(txn, paid="20000.00", payment_id="111")).json() == {"result": "duplicate"}
    assert post(notification(txn, paid="50000.00", payment_id="222")).json() == {"result": "processed"}
    txn.refresh_from_db()
    assert (txn.status, txn.flag, txn.qpay_payment_id) == ("paid", "", "222")
    assert Booking.objects.get(pk=txn.booking_id).status == BookingStatus.CONFIRMED


def test_a_wrong_currency_is_rejected_flagged_and_never_confirms(txn):
    response = post(notification(txn, currency="USD"))
    assert response.json() == {"result": "rejected"}
    txn.refresh_from_db()
    assert (txn.status, txn.flag, txn.paid_amount) == ("pending", TransactionFlag.CURRENCY_MISMATCH, Decimal("0"))
    booking = Booking.objects.get(pk=txn.booking_id)
    assert (booking.status, booking.payment_status) == ("pending", "pending")


def test_a_late_payment_retakes_a_free_slot(tattooist):
    slot, ends_at = bookable_slot(tattooist)  # the hold may still take its slot (bookings/rules.py)
    txn = TransactionFactory(
        booking__status=BookingStatus.EXPIRED,
        booking__tattooist=tattooist,
        booking__slot=slot,
        booking__ends_at=ends_at,
    )
    assert post(notification(txn)).json() == {"result": "processed"}
    booking = Booking.objects.get(pk=txn.booking_id)
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    txn.refresh_from_db()
    assert (txn.flag, txn.refund_state) == ("", "")


def test_a_late_payment_for_a_retaken_slot_is_flagged_for_refund_and_never_overlaps(db):
    txn = TransactionFactory(booking__status=BookingStatus.EXPIRED)
    expired = txn.booking
    BookingFactory(
        tattooist=expired.tattooist, slot=expired.slot, ends_at=expired.ends_at, status=BookingStatus.CONFIRMED
    )
    assert post(notification(txn)).json() == {"result": "late_payment"}
    txn.refresh_from_db()
    assert (txn.status, txn.flag, txn.refund_state) == ("refunded", "late_payment", RefundState.MANUAL_REQUIRED)
    expired.refresh_from_db()
    assert (expired.status, expired.payment_status) == ("expired", "refunded")
    active = Booking.objects.filter(
        tattooist=expired.tattooist,
        slot__lt=expired.ends_at,
        ends_at__gt=expired.slot,
        status__in=["pending", "confirmed", "disputed"],
    )
    assert active.count() == 1
    assert post(notification(txn)).json() == {"result": "duplicate"}


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_duplicates_credit_once():
    txn = TransactionFactory()
    body = json.dumps(notification(txn)).encode()

    def deliver(i):
        return post(None, raw=body, headers=sign(body)).json()["result"]

    results = hammer(deliver, n=20)
    assert sorted(results).count("processed") == 1, results
    assert results.count("duplicate") == 19, results
    txn.refresh_from_db()
    assert txn.status == "paid"
    assert txn.paid_amount == Decimal("50000.00")
    assert BookingEvent.objects.filter(booking_id=txn.booking_id).count() == 1
    assert Transaction.objects.filter(qpay_payment_id="912213777662363").count() == 1


def test_the_notify_endpoint_needs_no_user_but_ignores_one(txn, customer):
    from testing.clients import client_for

    response = client_for(customer).post(URL, data={}, format="json")
    assert response.status_code == 401


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_held_booking_lock_answers_503_with_no_writes(settings):
    import threading

    from django.db import connection, transaction

    settings.PAYMENT_LOCK_TIMEOUT_MS = 300
    txn = TransactionFactory()
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                Booking.objects.select_for_update().get(pk=txn.booking_id)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(30)
        before = snapshot(txn)
        response = post(notification(txn))
        assert response.status_code == 503
        assert response.json()["code"] == "busy"
        assert snapshot(txn) == before
    finally:
        release.set()
        holder.join(30)
    assert post(notification(txn)).json() == {"result": "processed"}


def test_a_second_paid_invoice_for_a_paid_booking_is_flagged_for_refund(txn):
    assert post(notification(txn)).json() == {"result": "processed"}
    second = TransactionFactory(booking=txn.booking, status=TransactionStatus.CANCELLED)
    before = Booking.objects.get(pk=txn.booking_id)
    events = BookingEvent.objects.filter(booking_id=txn.booking_id).count()
    assert post(notification(second, payment_id="555")).json() == {"result": "double_payment"}
    second.refresh_from_db()
    # the whole second payment goes back (P2P: to the manual queue); the booking keeps the first
    assert (second.status, second.flag, second.refund_state) == ("refunded", "overpaid", "manual_required")
    assert second.refunded_amount == Decimal("50000.00")
    after = Booking.objects.get(pk=txn.booking_id)
    from payments.ledger import deposit_ledger

    assert deposit_ledger(booking=after).as_api() == {
        "required": "50000.00",
        "paid": "100000.00",
        "refunded": "0.00",
        "kept": "0.00",
        "refund_pending": "50000.00",
        "applied": "0.00",
    }
    assert (after.status, after.payment_status) == (before.status, before.payment_status)
    assert BookingEvent.objects.filter(booking_id=txn.booking_id).count() == events
