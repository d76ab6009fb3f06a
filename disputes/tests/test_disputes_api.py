"""Disputes: opening (staff and parties), resolving with and without a refund, and refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from bookings.models import Booking, BookingEvent, BookingStatus, PaymentStatus
from bookings.tests.factories import BookingFactory, PaidBookingFactory
from disputes import services
from disputes.models import Dispute, DisputeStatus
from disputes.tests.factories import DisputeFactory, disputed_paid_booking
from payments import card_refunds, ledger
from payments.models import LedgerEvent, Refund, RefundState, RefundStatus, TransactionStatus
from payments.tests.factories import PaidTransactionFactory
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def _events(booking) -> list[tuple[str, str, str, str]]:
    return [
        (e.from_status, e.to_status, e.from_payment_status, e.to_payment_status)
        for e in BookingEvent.objects.filter(booking=booking)
    ]


# --- opening ----------------------------------------------------------------------------------


def test_staff_open_a_dispute_for_the_customer_and_the_booking_becomes_disputed(admin_user):
    booking = PaidBookingFactory()
    response = client_for(admin_user).post(
        "/api/admin/disputes",
        {"bookingId": booking.pk, "reason": "Session cut short.", "initiatorId": booking.customer_id},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["bookingId"] == booking.pk
    assert body["initiatorId"] == booking.customer_id
    assert body["status"] == "open"
    assert body["bookingStatusBefore"] == "confirmed"
    assert body["booking"] == {"id": booking.pk, "status": "disputed", "paymentStatus": "paid"}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DISPUTED
    event = BookingEvent.objects.get(booking=booking)
    assert (event.from_status, event.to_status, event.actor) == ("confirmed", "disputed", admin_user)
    assert f"dispute {body['id']}" in event.note


def test_staff_may_open_a_dispute_in_their_own_name(admin_user):
    booking = PaidBookingFactory()
    response = client_for(admin_user).post(
        "/api/admin/disputes",
        {"bookingId": booking.pk, "reason": "Fraud check.", "initiatorId": admin_user.pk},
        format="json",
    )
    assert response.status_code == 201
    assert Dispute.objects.get().booking_status_before == "confirmed"


@pytest.mark.parametrize("payment_status", ["unpaid", "pending"])
def test_an_unpaid_hold_is_not_disputable_by_a_party_or_staff(admin_user, payment_status):
    # A disputed booking keeps its slot and never expires: an unpaid hold must not get there.
    booking = BookingFactory(payment_status=payment_status)
    by_customer = client_for(booking.customer).post(
        "/api/disputes", {"bookingId": booking.pk, "reason": "Hold it for me."}, format="json"
    )
    by_staff = client_for(admin_user).post(
        "/api/admin/disputes",
        {"bookingId": booking.pk, "reason": "x", "initiatorId": booking.customer_id},
        format="json",
    )
    for response in (by_customer, by_staff):
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "not_disputable"
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PENDING
    assert Dispute.objects.count() == 0
    assert BookingEvent.objects.filter(booking=booking).count() == 0


def test_a_no_show_can_be_disputed_by_its_customer():
    booking = PaidBookingFactory(status=BookingStatus.NO_SHOW)
    response = client_for(booking.customer).post(
        "/api/disputes", {"bookingId": booking.pk, "reason": "I was there."}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.DISPUTED


def test_the_initiator_must_be_a_party_or_staff(admin_user, outsider):
    booking = PaidBookingFactory()
    client = client_for(admin_user)
    response = client.post(
        "/api/admin/disputes", {"bookingId": booking.pk, "reason": "x", "initiatorId": outsider.pk}, format="json"
    )
    assert response.status_code == 400
    assert "initiatorId" in response.json()["fields"]
    unknown = client.post(
        "/api/admin/disputes", {"bookingId": booking.pk, "reason": "x", "initiatorId": 999999}, format="json"
    )
    assert unknown.status_code == 400
    assert "initiatorId" in unknown.json()["fields"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert not Dispute.objects.exists()


def test_staff_opening_a_dispute_on_an_unknown_booking_get_404(admin_user):
    response = client_for(admin_user).post(
        "/api/admin/disputes", {"bookingId": 999999, "reason": "x", "initiatorId": admin_user.pk}, format="json"
    )
    assert response.status_code == 404


def test_a_dispute_without_a_reason_is_a_400(admin_user):
    booking = PaidBookingFactory()
    response = client_for(admin_user).post(
        "/api/admin/disputes", {"bookingId": booking.pk, "initiatorId": admin_user.pk}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]


def test_a_second_open_dispute_on_one_booking_is_a_409(admin_user):
    booking = PaidBookingFactory()
    client = client_for(admin_user)
    body = {"bookingId": booking.pk, "reason": "x", "initiatorId": booking.customer_id}
    assert client.post("/api/admin/disputes", body, format="json").status_code == 201
    again = client.post("/api/admin/disputes", body, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "dispute_open"
    assert Dispute.objects.count() == 1


def test_a_cancelled_booking_cannot_be_disputed(admin_user):
    booking = BookingFactory(status=BookingStatus.CANCELLED)
    response = client_for(admin_user).post(
        "/api/admin/disputes", {"bookingId": booking.pk, "reason": "x", "initiatorId": admin_user.pk}, format="json"
    )
    assert response.status_code == 409
    assert not Dispute.objects.exists()


@pytest.mark.parametrize("party", ["customer", "tattooist"])
def test_the_bookings_parties_open_disputes_themselves(party):
    booking = PaidBookingFactory(status=BookingStatus.COMPLETED)
    user = booking.customer if party == "customer" else booking.tattooist.user
    response = client_for(user).post(
        "/api/disputes", {"bookingId": booking.pk, "reason": "Healing went badly."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["initiatorId"] == user.pk
    assert response.json()["bookingStatusBefore"] == "completed"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DISPUTED
    assert BookingEvent.objects.get(booking=booking).actor == user


def test_others_cannot_open_a_dispute_on_someone_elses_booking(outsider, other_tattooist, admin_user):
    booking = PaidBookingFactory()
    for user in (outsider, other_tattooist.user, admin_user):
        response = client_for(user).post("/api/disputes", {"bookingId": booking.pk, "reason": "x"}, format="json")
        assert response.status_code == 403, user.role
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_party_route_answers_401_404_and_400(api_client, customer):
    assert api_client.post("/api/disputes", {"bookingId": 1, "reason": "x"}, format="json").status_code == 401
    assert (
        client_for(customer).post("/api/disputes", {"bookingId": 999999, "reason": "x"}, format="json").status_code
        == 404
    )
    bad = client_for(customer).post("/api/disputes", {"bookingId": "one"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"bookingId", "reason"}


# --- resolving --------------------------------------------------------------------------------


def test_resolving_without_a_refund_moves_the_booking_and_leaves_the_money(admin_user):
    dispute, txn = disputed_paid_booking()
    response = client_for(admin_user).patch(
        f"/api/admin/disputes/{dispute.pk}",
        {"resolution": "Artist showed up late; session goes ahead.", "bookingStatus": "confirmed"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "resolved"
    assert body["resolvedById"] == admin_user.pk
    assert body["resolvedAt"]
    assert body["refundAmount"] is None
    assert body["booking"] == {"id": dispute.booking_id, "status": "confirmed", "paymentStatus": "paid"}
    txn.refresh_from_db()
    assert (txn.status, txn.refunded_amount, txn.refund_state) == (TransactionStatus.PAID, Decimal("0.00"), "")
    assert _events(dispute.booking) == [("disputed", "confirmed", "", "")]


def test_a_partial_refund_is_recorded_on_the_transaction_and_the_booking(
    admin_user, django_capture_on_commit_callbacks
):
    dispute, txn = disputed_paid_booking(Decimal("80000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).patch(
            f"/api/admin/disputes/{dispute.pk}",
            {"resolution": "Half the session done.", "refundAmount": "30000.50", "bookingStatus": "completed"},
            format="json",
        )
    assert response.status_code == 200
    body = response.json()
    assert body["refundAmount"] == "30000.50"
    assert body["booking"]["paymentStatus"] == "partially_refunded"
    assert body["transaction"] == {
        "id": txn.pk,
        "status": "partially_refunded",
        "paidAmount": "80000.00",
        "refundedAmount": "30000.50",
        "refundState": "manual_required",
    }
    txn.refresh_from_db()
    assert txn.refunded_amount == Decimal("30000.50")
    assert txn.status == TransactionStatus.PARTIALLY_REFUNDED
    assert txn.refund_state == RefundState.MANUAL_REQUIRED
    booking = Booking.objects.get(pk=dispute.booking_id)
    assert (booking.status, booking.payment_status) == ("completed", "partially_refunded")
    assert _events(booking) == [("disputed", "completed", "paid", "partially_refunded")]
    assert "refund 30000.50" in BookingEvent.objects.get(booking=booking).note


def test_a_full_refund_with_cancellation_marks_everything_refunded(admin_user):
    dispute, txn = disputed_paid_booking(Decimal("50000.00"))
    response = client_for(admin_user).patch(
        f"/api/admin/disputes/{dispute.pk}",
        {"resolution": "Artist cancelled.", "refundAmount": "50000", "bookingStatus": "cancelled"},
        format="json",
    )
    assert response.status_code == 200
    txn.refresh_from_db()
    assert (txn.status, txn.refunded_amount) == (TransactionStatus.REFUNDED, Decimal("50000.00"))
    booking = Booking.objects.get(pk=dispute.booking_id)
    assert (booking.status, booking.payment_status) == (BookingStatus.CANCELLED, PaymentStatus.REFUNDED)


def test_a_second_refund_on_a_partly_refunded_payment_counts_what_is_left(admin_user):
    dispute, txn = disputed_paid_booking(Decimal("50000.00"))
    with transaction.atomic():  # an earlier refund of 20,000 through the ledger
        ledger.deposit_refund(
            booking=Booking.objects.select_for_update().get(pk=dispute.booking_id),
            amount=Decimal("20000"),
            reason="goodwill",
            actor=admin_user,
        )
    assert Booking.objects.get(pk=dispute.booking_id).payment_status == PaymentStatus.PARTIALLY_REFUNDED
    client = client_for(admin_user)
    too_much = client.patch(
        f"/api/admin/disputes/{dispute.pk}",
        {"resolution": "x", "refundAmount": "30000.01", "bookingStatus": "cancelled"},
        format="json",
    )
    assert too_much.status_code == 400
    assert "refundAmount" in too_much.json()["fields"]
    rest = client.patch(
        f"/api/admin/disputes/{dispute.pk}",
        {"resolution": "x", "refundAmount": "30000.00", "bookingStatus": "cancelled"},
        format="json",
    )
    assert rest.status_code == 200
    txn.refresh_from_db()
    assert (txn.status, txn.refunded_amount) == (TransactionStatus.REFUNDED, Decimal("50000.00"))


def test_a_refund_above_the_paid_amount_is_refused_and_nothing_changes(admin_user):
    dispute, txn = disputed_paid_booking(Decimal("50000.00"))
    response = client_for(admin_user).patch(
        f"/api/admin/disputes/{dispute.pk}",
        {"resolution": "x", "refundAmount": "50000.01", "bookingStatus": "cancelled"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "refund_too_large"
    assert "refundAmount" in response.json()["fields"]
    dispute.refresh_from_db()
    txn.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert (txn.status, txn.refunded_amount) == (TransactionStatus.PAID, Decimal("0.00"))
    assert Booking.objects.get(pk=dispute.booking_id).status == BookingStatus.DISPUTED
    assert _events(dispute.booking) == []


def test_a_refund_on_an_unpaid_booking_is_refused(admin_user):
    dispute = DisputeFactory(booking=BookingFactory(status=BookingStatus.DISPUTED), booking_status_before="pending")
    response = client_for(admin_user).patch(
        f"/api/admin/disputes/{dispute.pk}",
        {"resolution": "x", "refundAmount": "10", "bookingStatus": "cancelled"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "nothing_to_refund"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"resolution": "x", "bookingStatus": "disputed"}, {"bookingStatus"}),
        ({"resolution": "x", "bookingStatus": "expired"}, {"bookingStatus"}),
        ({"bookingStatus": "confirmed"}, {"resolution"}),
        ({"resolution": "x", "bookingStatus": "confirmed", "refundAmount": "0"}, {"refundAmount"}),
        ({"resolution": "x", "bookingStatus": "confirmed", "refundAmount": "-5"}, {"refundAmount"}),
        ({"resolution": "x", "bookingStatus": "confirmed", "refundAmount": "1.005"}, {"refundAmount"}),
        ({"resolution": "x", "bookingStatus": "confirmed", "refundAmount": "lots"}, {"refundAmount"}),
    ],
)
def test_bad_resolutions_are_400_with_field_messages(admin_user, body, fields):
    dispute, _txn = disputed_paid_booking()
    response = client_for(admin_user).patch(f"/api/admin/disputes/{dispute.pk}", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == fields
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN


def test_resolving_an_unknown_dispute_is_a_404(admin_user):
    response = client_for(admin_user).patch(
        "/api/admin/disputes/999999", {"resolution": "x", "bookingStatus": "confirmed"}, format="json"
    )
    assert response.status_code == 404


def test_a_resolved_dispute_cannot_be_resolved_again(admin_user):
    dispute, txn = disputed_paid_booking(Decimal("50000.00"))
    client = client_for(admin_user)
    body = {"resolution": "x", "refundAmount": "10000", "bookingStatus": "completed"}
    assert client.patch(f"/api/admin/disputes/{dispute.pk}", body, format="json").status_code == 200
    again = client.patch(f"/api/admin/disputes/{dispute.pk}", body, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "dispute_resolved"
    txn.refresh_from_db()
    assert txn.refunded_amount == Decimal("10000.00")


def test_a_booking_can_be_disputed_again_after_its_dispute_is_resolved(admin_user):
    dispute, _txn = disputed_paid_booking()
    client = client_for(admin_user)
    client.patch(f"/api/admin/disputes/{dispute.pk}", {"resolution": "x", "bookingStatus": "completed"}, format="json")
    response = client.post(
        "/api/admin/disputes",
        {"bookingId": dispute.booking_id, "reason": "Still unhappy.", "initiatorId": dispute.initiator_id},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["bookingStatusBefore"] == "completed"


# --- refund execution ---------------------------------------------------------------------------


def _resolve_with_refund(dispute, admin_user, amount: str, booking_status=BookingStatus.CANCELLED):
    return services.dispute_resolve(
        dispute_id=dispute.pk,
        actor=admin_user,
        resolution="x",
        booking_status=booking_status,
        refund_amount=Decimal(amount),
    )


def _refund_jobs() -> list[dict]:
    return list(ProcrastinateJob.objects.filter(task_name="payments.refund_card").values_list("args", flat=True))


def test_a_qr_payment_refund_goes_to_the_manual_queue_and_never_to_qpay(admin_user):
    dispute, txn = disputed_paid_booking(Decimal("100.00"), payment_type="P2P")
    _resolve_with_refund(dispute, admin_user, "100")
    assert _refund_jobs() == []
    refund = Refund.objects.get(booking=dispute.booking)
    assert (refund.status, refund.amount) == (RefundStatus.MANUAL_REQUIRED, Decimal("100.00"))
    txn.refresh_from_db()
    assert txn.refund_state == RefundState.MANUAL_REQUIRED


def test_a_full_card_refund_is_a_job_written_with_the_resolution(admin_user):
    dispute, txn = disputed_paid_booking(Decimal("50000.00"), payment_type="CARD")
    _resolve_with_refund(dispute, admin_user, "50000")
    refund = Refund.objects.get(booking=dispute.booking)
    assert refund.status == RefundStatus.QPAY_PENDING
    assert _refund_jobs() == [{"refund_id": refund.pk}]
    txn.refresh_from_db()
    assert (txn.status, txn.refunded_amount, txn.refund_state) == (
        TransactionStatus.REFUNDED,
        Decimal("50000.00"),
        RefundState.QPAY_PENDING,
    )


def test_a_partial_card_refund_stays_manual_as_qpay_only_refunds_whole_payments(admin_user):
    dispute, txn = disputed_paid_booking(Decimal("50000.00"), payment_type="CARD")
    _resolve_with_refund(dispute, admin_user, "100", booking_status=BookingStatus.COMPLETED)
    assert _refund_jobs() == []
    txn.refresh_from_db()
    assert txn.refund_state == RefundState.MANUAL_REQUIRED
    # the rest counts toward the price: kept, nothing left held
    assert ledger.deposit_ledger(booking=dispute.booking).as_api() == {
        "required": "50000.00",
        "paid": "50000.00",
        "refunded": "0.00",
        "kept": "49900.00",
        "refund_pending": "100.00",
        "applied": "0.00",
    }


def test_a_card_refund_the_worker_cannot_send_retries_then_goes_to_the_manual_queue(admin_user, settings):
    from tattoo.core.errors import UpstreamUnavailable
    from testing.qpay import free_port

    settings.QPAY_WORKER_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    dispute, txn = disputed_paid_booking(Decimal("100.00"), payment_type="CARD")
    _resolve_with_refund(dispute, admin_user, "100")
    refund = Refund.objects.get(booking=dispute.booking)
    with pytest.raises(UpstreamUnavailable):  # the job retries with backoff
        card_refunds.refund_send(refund_id=refund.pk)
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.QPAY_PENDING
    assert card_refunds.refund_send(refund_id=refund.pk, last_attempt=True) == RefundStatus.MANUAL_REQUIRED
    refund.refresh_from_db()
    assert refund.status == RefundStatus.MANUAL_REQUIRED
    assert refund.qpay_error.startswith("worker unreachable, retries over")
    txn.refresh_from_db()
    assert (txn.refund_state, txn.refunded_amount) == (RefundState.MANUAL_REQUIRED, Decimal("100.00"))
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.RESOLVED
    moves = LedgerEvent.objects.filter(refund=refund).values_list("kind", "from_state", "to_state")
    assert list(moves) == [
        ("refund_recorded", "", "qpay_pending"),
        ("refund_moved", "qpay_pending", "manual_required"),
    ]


def test_staff_mark_a_manual_refund_done_once(admin_user):
    txn = PaidTransactionFactory(refund_state=RefundState.MANUAL_REQUIRED, status=TransactionStatus.REFUNDED)
    assert services.transaction_mark_manual_refund_done(transaction_id=txn.pk, actor=admin_user) is True
    assert services.transaction_mark_manual_refund_done(transaction_id=txn.pk, actor=admin_user) is False
    txn.refresh_from_db()
    assert txn.refund_state == RefundState.MANUAL_DONE


def test_the_dispute_shows_the_paid_transaction_not_a_later_open_invoice(admin_user):
    dispute, txn = disputed_paid_booking()
    PaidTransactionFactory(booking=dispute.booking, status=TransactionStatus.PENDING, paid_amount=0, paid_at=None)
    response = client_for(admin_user).patch(
        f"/api/admin/disputes/{dispute.pk}",
        {"resolution": "x", "refundAmount": "100", "bookingStatus": "completed"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["transaction"]["id"] == txn.pk
    assert response.json()["transaction"]["refundedAmount"] == "100.00"
