"""The weekly report (/admin/reports/): bookings created, deposits collected and refunds per UTC
Monday week, its two SVG charts and its totals, as staff read it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from bookings.tests.factories import BookingFactory, PaidBookingFactory
from disputes.models import DisputeStatus
from disputes.tests.factories import DisputeFactory
from payments.models import TransactionStatus
from payments.tests.factories import PaidTransactionFactory
from testing.clients import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user) -> Client:
    client = Client()
    staff_login(client, admin_user)
    return client


def _at(*args):
    return time_machine.travel(datetime(*args, tzinfo=UTC), tick=False)


@pytest.fixture
def seeded_weeks():
    """Bookings, payments and refunds spread over weeks; 'now' is Wednesday 2026-03-18 12:00 UTC,
    so the report covers the Mondays 2025-12-29 … 2026-03-16."""
    with _at(2025, 12, 1):
        old = PaidBookingFactory()  # before the window: counted nowhere
        PaidTransactionFactory(booking=old, paid_at=datetime(2025, 12, 28, 23, 59, tzinfo=UTC), paid_amount=1)
    with _at(2026, 2, 2, 0, 0):
        BookingFactory()
    with _at(2026, 2, 8, 23, 59):
        BookingFactory()  # still the week of Feb 2
    with _at(2026, 3, 15, 23, 30):
        BookingFactory()  # Sunday in UTC (Monday morning in Ulaanbaatar): the week of Mar 9
    with _at(2026, 3, 16, 0, 30):
        BookingFactory()
    PaidTransactionFactory(booking=old, paid_amount=Decimal("50000.00"), paid_at=datetime(2026, 3, 10, 5, tzinfo=UTC))
    PaidTransactionFactory(
        booking=old,
        status=TransactionStatus.REFUNDED,
        paid_amount=Decimal("30000.00"),
        refunded_amount=Decimal("30000.00"),
        paid_at=datetime(2026, 3, 11, 5, tzinfo=UTC),
    )
    PaidTransactionFactory(booking=old, status=TransactionStatus.PENDING, paid_amount=0, paid_at=None)
    PaidTransactionFactory(
        booking=old, paid_amount=Decimal("12345.67"), paid_at=datetime(2025, 12, 29, 0, 0, tzinfo=UTC)
    )
    for refund, resolved_at in [
        (Decimal("30000.00"), datetime(2026, 3, 17, 9, tzinfo=UTC)),
        (Decimal("1000.50"), datetime(2026, 1, 5, 9, tzinfo=UTC)),
        (None, datetime(2026, 3, 17, 9, tzinfo=UTC)),
    ]:
        DisputeFactory(booking=old, status=DisputeStatus.RESOLVED, refund_amount=refund, resolved_at=resolved_at)


def test_the_weekly_report_counts_each_series_in_utc_monday_weeks(staff, seeded_weeks):
    with _at(2026, 3, 18, 12):
        response = staff.get("/admin/reports/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 12
    assert rows[0].week == datetime(2025, 12, 29, tzinfo=UTC)
    assert rows[-1].week == datetime(2026, 3, 16, tzinfo=UTC)
    by_week = {r.week.date().isoformat(): (r.bookings, r.deposits, r.refunds) for r in rows}
    assert by_week["2025-12-29"] == (0, Decimal("12345.67"), Decimal("0"))
    assert by_week["2026-01-05"] == (0, Decimal("0"), Decimal("1000.50"))
    assert by_week["2026-02-02"] == (2, Decimal("0"), Decimal("0"))
    assert by_week["2026-03-09"] == (1, Decimal("80000.00"), Decimal("0"))
    assert by_week["2026-03-16"] == (1, Decimal("0"), Decimal("30000.00"))
    quiet = [w for w, v in by_week.items() if v == (0, Decimal("0"), Decimal("0"))]
    assert len(quiet) == 7
    assert response.context["totals"] == {
        "bookings": 4,
        "deposits": Decimal("92345.67"),
        "refunds": Decimal("31000.50"),
        "net": Decimal("61345.17"),
    }
    main = response.content.decode().split('<div id="content-main">')[1].split("<!-- END SVGs -->")[0]
    assert main.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 2
    assert main.count('class="bar"') == 12 + 24
    assert "<td>9 Mar 2026</td>" in main
    assert "<td>80,000\u00a0₮</td>" in main
    assert "<title>week of 9 Mar 2026: deposits collected 80,000\u00a0₮</title>" in main
    # The CSP allows no inline styles or scripts: the chart is attributes only.
    assert "style=" not in main
    assert "<script" not in main


def test_the_weekly_report_renders_with_no_data(staff):
    response = staff.get("/admin/reports/")
    assert response.status_code == 200
    assert response.context["totals"]["bookings"] == 0
