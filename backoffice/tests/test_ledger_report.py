"""The daily deposit ledger (/admin/reports/ledger/): money per UTC day, the refunds pending, and the
bookings whose transactions and ledger disagree (docs/deposits.md)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from bookings.services.moves import booking_change_status
from bookings.tests.factories import PaidBookingFactory
from payments.models import Transaction
from payments.services.checks import payment_settle_booking
from payments.tests.factories import PaidTransactionFactory
from testing.clients import staff_login

pytestmark = pytest.mark.django_db


def paid() -> Booking:
    """A booking three days ahead with its 50,000 ₮ deposit paid from a bank app (P2P)."""
    slot = timezone.now().replace(microsecond=0) + timedelta(days=3)
    booking = PaidBookingFactory(slot=slot, ends_at=slot + timedelta(hours=2), deposit_refundable_hours=48)
    PaidTransactionFactory(booking=booking, payment_type="P2P")
    return booking


def test_the_daily_ledger_report_lists_money_per_day_and_bookings_that_disagree(admin_user):
    booking = paid()
    booking_change_status(booking_id=booking.pk, actor=booking.tattooist.user, to_status="cancelled")
    payment_settle_booking(booking_id=booking.pk)  # the settle job the cancel enqueued
    broken = paid()
    Transaction.objects.filter(booking=broken).update(paid_amount=Decimal("45000"))  # the rows say 50,000
    staff = Client()
    staff_login(staff, admin_user)
    page = staff.get(reverse("admin-ledger-report"))
    assert page.status_code == 200
    today = page.context["rows"][-1]
    assert (today["paid"], today["refunds_recorded"], today["refunded"]) == (
        Decimal("100000.00"),
        Decimal("50000.00"),
        Decimal("0"),
    )
    assert page.context["pending"] == Decimal("50000.00")
    assert [d["booking_id"] for d in page.context["disagreements"]] == [broken.pk]
    assert f">{broken.pk}</a>" in page.content.decode()
