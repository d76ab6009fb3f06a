"""The staff API: approval, the admin lists with filters and totals, and who may call them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from accounts.models import Tattooist
from accounts.tests.factories import AdminFactory, CustomerFactory, TattooistFactory
from bookings.models import BookingStatus
from bookings.tests.factories import BookingFactory
from disputes.tests.factories import DisputeFactory
from payments.models import RefundState, TransactionStatus
from payments.tests.factories import PaidTransactionFactory
from testing.clients import client_for

pytestmark = pytest.mark.django_db

ADMIN_ENDPOINTS = [
    ("patch", "/api/admin/tattooist/{tattooist}/approve", {"approved": True}),
    ("get", "/api/admin/bookings", None),
    ("get", "/api/admin/transactions", None),
    ("post", "/api/admin/disputes", {"bookingId": 1, "reason": "x", "initiatorId": 1}),
    ("patch", "/api/admin/disputes/{dispute}", {"resolution": "x", "bookingStatus": "confirmed"}),
]


def _url(template: str) -> str:
    return template.format(tattooist=TattooistFactory(approved=False).pk, dispute=DisputeFactory().pk)


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ENDPOINTS)
def test_admin_endpoints_refuse_anonymous_callers_with_401(api_client, method, path, body):
    response = getattr(api_client, method)(_url(path), body, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ENDPOINTS)
@pytest.mark.parametrize("role", ["customer", "tattooist"])
def test_admin_endpoints_refuse_customers_and_tattooists_with_403(method, path, body, role):
    user = CustomerFactory() if role == "customer" else TattooistFactory().user
    url = _url(path)
    response = getattr(client_for(user), method)(url, body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


# --- approval ---------------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 3, 2, 9, 30, tzinfo=UTC), tick=False)
def test_approving_an_artist_records_who_when_and_why(admin_user):
    artist = TattooistFactory(approved=False, approved_at=None)
    response = client_for(admin_user).patch(
        f"/api/admin/tattooist/{artist.pk}/approve", {"approved": True, "note": "Portfolio checked."}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == artist.pk
    assert body["approved"] is True
    assert body["approvedAt"] == "2026-03-02T09:30:00Z"
    assert body["approvedById"] == admin_user.pk
    assert body["approvalNote"] == "Portfolio checked."
    row = Tattooist.objects.get(pk=artist.pk)
    assert row.approved is True
    assert row.approved_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert row.approved_by == admin_user
    assert row.approval_note == "Portfolio checked."


def test_unapproving_an_artist_clears_approved_at(admin_user, tattooist):
    response = client_for(admin_user).patch(
        f"/api/admin/tattooist/{tattooist.pk}/approve", {"approved": False, "note": "Stolen photos."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["approved"] is False
    assert response.json()["approvedAt"] is None
    row = Tattooist.objects.get(pk=tattooist.pk)
    assert (row.approved, row.approved_at, row.approval_note) == (False, None, "Stolen photos.")


# strict: once the bookings branch (GET /api/tattooists/{id}) is merged this passes, the XPASS
# fails the suite, and the marker must be removed; it is not a skip.
def test_unapproved_artists_vanish_from_public_reads(admin_user, api_client, tattooist):
    assert api_client.get(f"/api/tattooists/{tattooist.pk}").status_code == 200
    client_for(admin_user).patch(f"/api/admin/tattooist/{tattooist.pk}/approve", {"approved": False}, format="json")
    assert api_client.get(f"/api/tattooists/{tattooist.pk}").status_code == 404
    assert tattooist.pk not in [t["id"] for t in api_client.get("/api/tattooists").json()["results"]]


def test_approving_an_unknown_artist_is_a_404(admin_user):
    response = client_for(admin_user).patch("/api/admin/tattooist/999999/approve", {"approved": True}, format="json")
    assert response.status_code == 404


def test_approval_without_a_decision_is_a_400(admin_user, tattooist):
    response = client_for(admin_user).patch(
        f"/api/admin/tattooist/{tattooist.pk}/approve", {"note": "x" * 1001}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"approved", "note"}


# --- admin bookings list ----------------------------------------------------------------------


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_the_bookings_list_pages_newest_first_with_totals_for_the_whole_set(admin_user):
    bookings = [BookingFactory(deposit_amount=Decimal("10000.50")) for _ in range(5)]
    client = client_for(admin_user)
    first = client.get("/api/admin/bookings?pageSize=2")
    assert first.status_code == 200
    body = first.json()
    newest_first = [b.pk for b in sorted(bookings, key=lambda b: (b.created_at, b.pk), reverse=True)]
    assert body["count"] == 5
    assert _ids(first) == newest_first[:2]
    assert body["next"]
    assert body["previous"] is None
    assert body["totals"] == {"count": 5, "depositSum": "50002.50"}
    third = client.get("/api/admin/bookings?pageSize=2&page=3")
    assert _ids(third) == newest_first[4:]
    assert third.json()["totals"] == {"count": 5, "depositSum": "50002.50"}
    row = body["results"][0]
    assert set(row) >= {"id", "customerId", "tattooistId", "slot", "endsAt", "status", "paymentStatus", "depositAmount"}


def test_bookings_with_the_same_creation_time_keep_a_stable_order(admin_user):
    with time_machine.travel(datetime(2026, 1, 5, 12, tzinfo=UTC), tick=False):
        bookings = [BookingFactory() for _ in range(4)]
    client = client_for(admin_user)
    seen = _ids(client.get("/api/admin/bookings?pageSize=2"))
    seen += _ids(client.get("/api/admin/bookings?pageSize=2&page=2"))
    assert seen == sorted((b.pk for b in bookings), reverse=True)


def test_the_bookings_list_filters_on_status(admin_user):
    confirmed = BookingFactory(status=BookingStatus.CONFIRMED, deposit_amount=Decimal("70000"))
    BookingFactory(status=BookingStatus.PENDING)
    response = client_for(admin_user).get("/api/admin/bookings?status=confirmed")
    assert _ids(response) == [confirmed.pk]
    assert response.json()["totals"] == {"count": 1, "depositSum": "70000.00"}


def test_empty_filters_mean_no_filter(admin_user):
    BookingFactory()
    response = client_for(admin_user).get("/api/admin/bookings?status=&from=&to=&tattooistId=")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_the_bookings_list_filters_on_the_slot_range(admin_user):
    base = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    before = BookingFactory(slot=base - timedelta(hours=3))
    at_start = BookingFactory(slot=base)
    inside = BookingFactory(slot=base + timedelta(days=1))
    at_end = BookingFactory(slot=base + timedelta(days=2))
    # 10:00 in Ulaanbaatar (+08:00) is 02:00 UTC: the offset is honoured.
    response = client_for(admin_user).get(
        "/api/admin/bookings", {"from": "2026-06-01T10:00:00+08:00", "to": "2026-06-03T02:00:00Z"}
    )
    assert response.status_code == 200
    assert sorted(_ids(response)) == sorted([at_start.pk, inside.pk])
    assert before.pk not in _ids(response)
    assert at_end.pk not in _ids(response)


def test_the_bookings_list_filters_on_the_artist(admin_user, tattooist, other_tattooist):
    mine = BookingFactory(tattooist=tattooist)
    BookingFactory(tattooist=other_tattooist)
    response = client_for(admin_user).get(f"/api/admin/bookings?tattooistId={tattooist.pk}")
    assert _ids(response) == [mine.pk]
    assert response.json()["totals"]["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=unknown", "status"),
        ("from=2026-06-01T10:00:00", "from"),
        ("to=yesterday", "to"),
        ("from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z", "to"),
        ("tattooistId=abc", "tattooistId"),
        ("pageSize=1000", "pageSize"),
        ("page=0", "page"),
    ],
)
def test_bad_bookings_list_filters_are_400_with_a_field_message(admin_user, query, field):
    response = client_for(admin_user).get(f"/api/admin/bookings?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]


# --- admin transactions list ------------------------------------------------------------------


def test_the_transactions_list_pages_newest_first_with_totals(admin_user):
    txns = [PaidTransactionFactory(amount=Decimal("40000"), refunded_amount=Decimal("1000.25")) for _ in range(3)]
    PaidTransactionFactory(status=TransactionStatus.PENDING, amount=Decimal("5000"), paid_amount=0, paid_at=None)
    client = client_for(admin_user)
    response = client.get("/api/admin/transactions?pageSize=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert body["totals"] == {
        "count": 4,
        "amountSum": "125000.00",
        "paidSum": "120000.00",
        "refundedSum": "3000.75",
    }
    paid = client.get("/api/admin/transactions?status=paid")
    assert sorted(_ids(paid)) == sorted(t.pk for t in txns)
    assert paid.json()["totals"]["amountSum"] == "120000.00"
    row = body["results"][0]
    assert set(row) >= {"id", "bookingId", "amount", "status", "paidAmount", "refundedAmount", "refundState"}
    assert isinstance(row["amount"], str)


def test_the_transactions_list_filters_on_creation_time(admin_user):
    with time_machine.travel(datetime(2026, 2, 1, tzinfo=UTC), tick=False):
        old = PaidTransactionFactory()
    with time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC), tick=False):
        new = PaidTransactionFactory()
    client = client_for(admin_user)
    assert _ids(client.get("/api/admin/transactions", {"from": "2026-02-05T00:00:00Z"})) == [new.pk]
    assert _ids(client.get("/api/admin/transactions", {"to": "2026-02-05T00:00:00+00:00"})) == [old.pk]


def test_the_transactions_list_shows_the_manual_refund_queue(admin_user):
    owed = PaidTransactionFactory(refund_state=RefundState.MANUAL_REQUIRED, refunded_amount=Decimal("100"))
    PaidTransactionFactory(refund_state=RefundState.MANUAL_DONE)
    PaidTransactionFactory()
    response = client_for(admin_user).get("/api/admin/transactions?refundState=manual_required")
    assert _ids(response) == [owed.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=lost", "status"), ("from=2026-02-05", "from"), ("refundState=maybe", "refundState")],
)
def test_bad_transactions_list_filters_are_400_with_a_field_message(admin_user, query, field):
    response = client_for(admin_user).get(f"/api/admin/transactions?{query}")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_another_admin_can_use_the_lists():
    response = client_for(AdminFactory()).get("/api/admin/transactions")
    assert response.status_code == 200
    assert response.json()["totals"] == {"count": 0, "amountSum": "0.00", "paidSum": "0.00", "refundedSum": "0.00"}


@pytest.mark.parametrize("path", ["/api/admin/bookings", "/api/admin/transactions"])
def test_the_admin_lists_use_a_fixed_number_of_queries(admin_user, path, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(admin_user)
    PaidTransactionFactory()
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    for _ in range(6):
        PaidTransactionFactory()
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(path).json()["count"] == 7
