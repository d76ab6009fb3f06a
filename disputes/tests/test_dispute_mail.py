"""Disputes and refunds tell the people concerned (docs/notifications.md "Who is told what"): a
dispute opened and resolved, both parties; a refund once it is really made, the customer, once."""

from __future__ import annotations

import pytest

from bookings.tests.factories import PaidBookingFactory
from notifications.models import Outbox
from payments import ledger
from payments.models import Refund, RefundStatus
from payments.tests.factories import PaidTransactionFactory
from testing.clients import client_for

pytestmark = pytest.mark.django_db


def told(kind: str) -> list[tuple[str, str]]:
    return sorted(Outbox.objects.filter(kind=kind).values_list("to_address", "reply_to"))


def test_a_dispute_opened_and_resolved_tells_both_parties_and_the_refund_tells_the_customer_once(admin_user):
    booking = PaidBookingFactory()
    PaidTransactionFactory(booking=booking, payment_type="P2P")
    customer, artist = booking.customer.email, booking.tattooist.user.email
    both = sorted([(customer, artist), (artist, customer)])  # each may answer the other

    opened = client_for(booking.customer).post(
        "/api/disputes", {"bookingId": booking.pk, "reason": "The session was cut short."}, format="json"
    )
    assert opened.status_code == 201, opened.json()
    assert told("dispute_opened") == both
    assert "The session was cut short." in Outbox.objects.filter(kind="dispute_opened").first().body_text

    resolved = client_for(admin_user).patch(
        f"/api/admin/disputes/{opened.json()['id']}",
        {"resolution": "Half back.", "refundAmount": "10000", "bookingStatus": "completed"},
        format="json",
    )
    assert resolved.status_code == 200, resolved.json()
    assert told("dispute_resolved") == both
    assert told("refund_done") == []  # owed is not made: a P2P payment is refunded by hand

    refund = Refund.objects.get(booking=booking)
    assert refund.status == RefundStatus.MANUAL_REQUIRED
    assert ledger.refund_mark_done(refund_id=refund.pk, actor=admin_user) is True
    assert told("refund_done") == [(customer, "")]
    assert "10,000\u00a0₮" in Outbox.objects.get(kind="refund_done").body_text  # tattoo.core.l10n.money (docs/i18n.md)
    assert ledger.refund_mark_done(refund_id=refund.pk, actor=admin_user) is False
    assert Outbox.objects.filter(kind="refund_done").count() == 1
