"""The staff's Django admin: approval actions, the dispute queue and resolve form, the refund
queue and CSV exports, driven through the test client as a staff user (the admin index and the
reports: backoffice/tests/)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Tattooist
from accounts.tests.factories import TattooistFactory
from bookings.models import Booking, BookingStatus, PaymentStatus
from bookings.tests.factories import BookingFactory, PaidBookingFactory
from disputes.models import Dispute, DisputeStatus
from disputes.selectors import dispute_queue
from disputes.tests.factories import DisputeFactory, disputed_paid_booking
from payments.models import RefundState, Transaction, TransactionStatus
from payments.tests.factories import PaidTransactionFactory
from testing.clients import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user) -> Client:
    client = Client()
    staff_login(client, admin_user)
    return client


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# --- access -----------------------------------------------------------------------------------


def test_non_staff_are_sent_to_the_admin_login(customer):
    client = Client()
    client.force_login(customer)
    response = client.get("/admin/bookings/booking/export.csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- artist approval actions ------------------------------------------------------------------


@time_machine.travel(datetime(2026, 4, 1, 8, tzinfo=UTC), tick=False)
def test_staff_approve_artists_with_a_list_action(staff, admin_user):
    waiting = [TattooistFactory(approved=False, approved_at=None) for _ in range(2)]
    untouched = TattooistFactory(approved=False, approved_at=None)
    selection = {"action": "approve_artists", "_selected_action": [t.pk for t in waiting]}
    ask = staff.post("/admin/accounts/tattooist/", selection)
    assert ask.status_code == 200
    assert 'name="note"' in ask.content.decode()
    assert not Tattooist.objects.filter(approved=True).exists()
    response = staff.post(
        "/admin/accounts/tattooist/", {**selection, "apply": "1", "note": "Portfolio checked."}, follow=True
    )
    assert response.status_code == 200
    assert "2 artist(s) approved." in response.content.decode()
    for artist in waiting:
        artist.refresh_from_db()
        assert artist.approved is True
        assert artist.approved_at == datetime(2026, 4, 1, 8, tzinfo=UTC)
        assert artist.approved_by == admin_user
        assert artist.approval_note == "Portfolio checked."
    untouched.refresh_from_db()
    assert untouched.approved is False


def test_staff_unapprove_artists_with_a_list_action(staff, tattooist):
    staff.post(
        "/admin/accounts/tattooist/",
        {"action": "unapprove_artists", "_selected_action": [tattooist.pk], "apply": "1", "note": "Copied work."},
    )
    row = Tattooist.objects.get(pk=tattooist.pk)
    assert (row.approved, row.approved_at) == (False, None)
    assert row.approval_note == "Copied work."


def test_the_artist_change_form_cannot_flip_approval_around_the_service(staff):
    artist = TattooistFactory(approved=False, approved_at=None)
    response = staff.get(f"/admin/accounts/tattooist/{artist.pk}/change/")
    assert response.status_code == 200
    assert 'name="approved"' not in response.content.decode()


# --- dispute queue and resolve form -----------------------------------------------------------


def test_the_dispute_queue_lists_open_disputes_first(staff):
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC)):
        resolved = DisputeFactory(status=DisputeStatus.RESOLVED)
    with time_machine.travel(datetime(2026, 1, 3, tzinfo=UTC)):
        newer_open = DisputeFactory()
    with time_machine.travel(datetime(2026, 1, 2, tzinfo=UTC)):
        older_open = DisputeFactory()
    assert list(dispute_queue().values_list("pk", flat=True)) == [older_open.pk, newer_open.pk, resolved.pk]
    response = staff.get("/admin/disputes/dispute/")
    assert response.status_code == 200
    assert [d.pk for d in response.context["cl"].result_list] == [older_open.pk, newer_open.pk, resolved.pk]
    html = response.content.decode()
    assert reverse("admin:disputes_dispute_resolve", args=[older_open.pk]) in html
    assert reverse("admin:disputes_dispute_resolve", args=[resolved.pk]) not in html


def test_the_resolve_form_renders_the_case(staff):
    dispute, txn = disputed_paid_booking(Decimal("60000.00"))
    response = staff.get(reverse("admin:disputes_dispute_resolve", args=[dispute.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert dispute.reason in html
    assert f"Transaction {txn.pk}" in html
    assert "paid 60,000\u00a0₮, refunded 0\u00a0₮" in html
    assert "MNT" not in html
    assert 'name="refund_amount"' in html


def test_the_resolve_form_resolves_with_a_refund_through_the_service(staff, admin_user):
    dispute, txn = disputed_paid_booking(Decimal("60000.00"))
    response = staff.post(
        reverse("admin:disputes_dispute_resolve", args=[dispute.pk]),
        {"booking_status": "cancelled", "refund_amount": "60000", "resolution": "Artist no-show."},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/disputes/dispute/"
    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolved_by, dispute.refund_amount) == (
        DisputeStatus.RESOLVED,
        admin_user,
        Decimal("60000.00"),
    )
    txn.refresh_from_db()
    assert (txn.status, txn.refunded_amount, txn.refund_state) == (
        TransactionStatus.REFUNDED,
        Decimal("60000.00"),
        RefundState.MANUAL_REQUIRED,
    )
    booking = Booking.objects.get(pk=dispute.booking_id)
    assert (booking.status, booking.payment_status) == (BookingStatus.CANCELLED, PaymentStatus.REFUNDED)
    assert booking.events.get().actor == admin_user


def test_the_resolve_form_shows_a_too_large_refund_as_a_field_error(staff):
    dispute, txn = disputed_paid_booking(Decimal("60000.00"))
    response = staff.post(
        reverse("admin:disputes_dispute_resolve", args=[dispute.pk]),
        {"booking_status": "cancelled", "refund_amount": "60000.01", "resolution": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"refund_amount": ["At most 60000.00 can be refunded."]}
    dispute.refresh_from_db()
    txn.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert txn.refunded_amount == Decimal("0.00")


def test_the_resolve_form_shows_bad_input_and_a_second_resolve_as_errors(staff):
    dispute, _txn = disputed_paid_booking()
    url = reverse("admin:disputes_dispute_resolve", args=[dispute.pk])
    bad = staff.post(url, {"booking_status": "disputed", "refund_amount": "-1", "resolution": ""})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"booking_status", "refund_amount", "resolution"}
    form = {"booking_status": "completed", "refund_amount": "", "resolution": "Fine."}
    assert staff.post(url, form).status_code == 302
    # A second staff member submitting a stale form: the service refuses, the form says why.
    Dispute.objects.filter(pk=dispute.pk).update(status=DisputeStatus.OPEN)
    Booking.objects.filter(pk=dispute.booking_id).update(status=BookingStatus.COMPLETED)
    stale = staff.post(url, form)
    assert stale.status_code == 200
    assert stale.context["form"].non_field_errors() == [
        "The booking is completed now; it can no longer be moved this way."
    ]
    Dispute.objects.filter(pk=dispute.pk).update(status=DisputeStatus.RESOLVED)
    assert "already resolved" in staff.get(url).content.decode()


def test_the_resolve_form_of_an_unknown_dispute_is_404(staff):
    assert staff.get(reverse("admin:disputes_dispute_resolve", args=[999999])).status_code == 404


# --- bookings, transactions and the refund queue ----------------------------------------------


def test_the_booking_page_shows_its_transactions_and_audit_trail_read_only(staff, admin_user):
    dispute, txn = disputed_paid_booking()
    from disputes.services import dispute_resolve

    dispute_resolve(dispute_id=dispute.pk, actor=admin_user, resolution="x", booking_status="completed")
    response = staff.get(f"/admin/bookings/booking/{dispute.booking_id}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert txn.qpay_invoice_id in html
    assert "dispute " + str(dispute.pk) + " resolved: completed" in html
    assert 'name="transactions-0-paid_amount"' not in html


def test_transactions_are_read_only_in_the_admin(staff):
    txn = PaidTransactionFactory()
    url = f"/admin/payments/transaction/{txn.pk}/change/"
    assert staff.get(url).status_code == 200
    assert staff.post(url, {"status": "cancelled"}).status_code == 403
    assert Transaction.objects.get(pk=txn.pk).status == TransactionStatus.PAID


def test_bookings_and_transactions_are_searchable_and_filterable(staff):
    booking = BookingFactory(status=BookingStatus.CONFIRMED)
    other = BookingFactory(status=BookingStatus.PENDING)
    found = staff.get("/admin/bookings/booking/", {"q": booking.customer.email})
    assert [b.pk for b in found.context["cl"].result_list] == [booking.pk]
    filtered = staff.get("/admin/bookings/booking/", {"status__exact": "pending"})
    assert [b.pk for b in filtered.context["cl"].result_list] == [other.pk]
    owed = PaidTransactionFactory(refund_state=RefundState.MANUAL_REQUIRED)
    PaidTransactionFactory()
    queue = staff.get("/admin/payments/transaction/", {"refund_state__exact": "manual_required"})
    assert [t.pk for t in queue.context["cl"].result_list] == [owed.pk]


def test_the_manual_refund_queue_lists_owed_refunds_and_marks_them_done(staff):
    owed = PaidTransactionFactory(refund_state=RefundState.MANUAL_REQUIRED, refunded_amount=Decimal("500"))
    PaidTransactionFactory(refund_state=RefundState.QPAY_REFUNDED)
    PaidTransactionFactory()
    page = staff.get("/admin/disputes/manualrefund/")
    assert page.status_code == 200
    assert [t.pk for t in page.context["cl"].result_list] == [owed.pk]
    done = staff.post(
        "/admin/disputes/manualrefund/",
        {"action": "mark_manual_refund_done", "_selected_action": [owed.pk]},
        follow=True,
    )
    assert "1 refund(s) marked done." in done.content.decode()
    assert Transaction.objects.get(pk=owed.pk).refund_state == RefundState.MANUAL_DONE
    assert list(staff.get("/admin/disputes/manualrefund/").context["cl"].result_list) == []


def test_the_transactions_list_marks_manual_refunds_done_too(staff):
    owed = PaidTransactionFactory(refund_state=RefundState.MANUAL_REQUIRED)
    staff.post("/admin/payments/transaction/", {"action": "mark_manual_refund_done", "_selected_action": [owed.pk]})
    assert Transaction.objects.get(pk=owed.pk).refund_state == RefundState.MANUAL_DONE


# --- CSV export -------------------------------------------------------------------------------


def test_the_bookings_csv_keeps_the_changelist_filters(staff):
    confirmed = PaidBookingFactory(deposit_amount=Decimal("70000.00"), slot=datetime(2026, 7, 1, 2, tzinfo=UTC))
    BookingFactory(status=BookingStatus.PENDING)
    page = staff.get("/admin/bookings/booking/", {"status__exact": "confirmed"})
    assert 'href="export.csv?status__exact=confirmed"' in page.content.decode()
    response = staff.get("/admin/bookings/booking/export.csv", {"status__exact": "confirmed"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == [
        "id",
        "customer_email",
        "tattooist_id",
        "tattooist_name",
        "slot",
        "ends_at",
        "status",
        "payment_status",
        "deposit_amount",
        "created_at",
    ]
    assert len(rows) == 2
    assert rows[1][:3] == [str(confirmed.pk), confirmed.customer.email, str(confirmed.tattooist_id)]
    assert rows[1][4] == "2026-07-01T02:00:00+00:00"
    assert rows[1][6:9] == ["confirmed", "paid", "70000.00"]


def test_the_csv_export_defuses_spreadsheet_formulas(staff):
    artist = TattooistFactory(user__name="=HYPERLINK(evil)")
    BookingFactory(tattooist=artist)
    rows = _csv(staff.get("/admin/bookings/booking/export.csv"))
    assert rows[1][3] == "'=HYPERLINK(evil)"


def test_a_bad_filter_in_the_csv_export_is_a_400(staff):
    assert staff.get("/admin/bookings/booking/export.csv", {"nonsense__exact": "1"}).status_code == 400


def test_the_transactions_csv_exports_the_filtered_list_and_the_selection(staff):
    paid = PaidTransactionFactory(amount=Decimal("45000.00"), payment_type="CARD")
    pending = PaidTransactionFactory(status=TransactionStatus.PENDING, paid_amount=0, paid_at=None)
    rows = _csv(staff.get("/admin/payments/transaction/export.csv", {"status__exact": "paid"}))
    assert [r[0] for r in rows[1:]] == [str(paid.pk)]
    assert rows[1][2] == "45000.00"
    assert rows[1][6] == "CARD"
    selected = staff.post(
        "/admin/payments/transaction/", {"action": "export_selected_csv", "_selected_action": [pending.pk]}
    )
    assert [r[0] for r in _csv(selected)[1:]] == [str(pending.pk)]


def test_a_dispute_page_is_read_only_and_links_the_resolve_form(staff):
    dispute = DisputeFactory()
    url = f"/admin/disputes/dispute/{dispute.pk}/change/"
    page = staff.get(url)
    assert page.status_code == 200
    assert reverse("admin:disputes_dispute_resolve", args=[dispute.pk]) in page.content.decode()
    assert staff.post(url, {"status": "resolved"}).status_code == 403
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.OPEN


# --- the admin's own pages in the staff member's language (docs/i18n.md) ------------------------

CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _staff_speaking(admin_user, language: str) -> Client:
    # A signed-in person's saved language wins on pages; the browser asks for the same one here.
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    staff_login(client, admin_user)
    return client


def _main(response) -> str:
    assert response.status_code == 200
    return response.content.decode().split('<div id="content-main">')[1]


def test_the_resolve_page_speaks_mongolian_or_english_with_amounts_in_tugrik(admin_user):
    dispute, txn = disputed_paid_booking(Decimal("60000.00"))
    url = reverse("admin:disputes_dispute_resolve", args=[dispute.pk])
    mongolian = _main(_staff_speaking(admin_user, "mn").get(url))
    assert f"Маргаан №{dispute.pk} (Нээлттэй)" in mongolian
    assert f"Гүйлгээ №{txn.pk}" in mongolian
    assert "төлсөн 60,000\u00a0₮, буцаан олгосон 0\u00a0₮" in mongolian
    assert "Буцаан олголт (₮)" in mongolian  # the form's label
    assert 'value="Маргааныг шийдвэрлэх"' in mongolian
    assert "MNT" not in mongolian
    assert "Resolve dispute" not in mongolian
    assert "paid 60" not in mongolian
    english = _main(_staff_speaking(admin_user, "en").get(url))
    assert f"Dispute {dispute.pk} (Open)" in english
    assert f"Transaction {txn.pk}" in english
    assert "paid 60,000\u00a0₮, refunded 0\u00a0₮" in english
    assert "Refund (₮)" in english
    assert 'value="Resolve dispute"' in english
    assert not CYRILLIC.findall(english)
