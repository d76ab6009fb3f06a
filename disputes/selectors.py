"""Staff reads: the admin lists with their totals and the dispute queue."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from bookings.models import Booking
from disputes.models import Dispute, DisputeStatus
from payments.models import Transaction

ZERO = Decimal("0.00")


def admin_booking_list(
    *,
    status: str | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    tattooist_id: int | None = None,
) -> QuerySet[Booking]:
    """All bookings, newest first; the date range is on the slot (start time), `from` inclusive,
    `to` exclusive."""
    qs = Booking.objects.select_related("customer", "tattooist__user")
    if status:
        qs = qs.filter(status=status)
    if date_from is not None:
        qs = qs.filter(slot__gte=date_from)
    if date_to is not None:
        qs = qs.filter(slot__lt=date_to)
    if tattooist_id is not None:
        qs = qs.filter(tattooist_id=tattooist_id)
    return qs.order_by("-created_at", "-id")


def booking_totals(qs: QuerySet[Booking]) -> dict:
    row = qs.order_by().aggregate(count=Count("id"), deposit_sum=Coalesce(Sum("deposit_amount"), ZERO))
    return {"count": row["count"], "deposit_sum": row["deposit_sum"]}


def admin_transaction_list(
    *,
    status: str | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    refund_state: str | None = None,
) -> QuerySet[Transaction]:
    """All transactions, newest first; the date range is on created_at, `from` inclusive, `to`
    exclusive. `refund_state=manual_required` is the manual refund queue."""
    qs = Transaction.objects.all()
    if status:
        qs = qs.filter(status=status)
    if date_from is not None:
        qs = qs.filter(created_at__gte=date_from)
    if date_to is not None:
        qs = qs.filter(created_at__lt=date_to)
    if refund_state is not None:
        qs = qs.filter(refund_state=refund_state)
    return qs.order_by("-created_at", "-id")


def transaction_totals(qs: QuerySet[Transaction]) -> dict:
    row = qs.order_by().aggregate(
        count=Count("id"),
        amount_sum=Coalesce(Sum("amount"), ZERO),
        paid_sum=Coalesce(Sum("paid_amount"), ZERO),
        refunded_sum=Coalesce(Sum("refunded_amount"), ZERO),
    )
    return row


def dispute_queue() -> QuerySet[Dispute]:
    """Open disputes first (oldest waiting longest on top), then resolved ones, newest first."""
    return Dispute.objects.annotate(
        open_first=Case(When(status=DisputeStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("open_first", "created_at", "id")
