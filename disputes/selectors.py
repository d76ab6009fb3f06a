"""Staff reads: the admin lists with their totals, the dispute queue and the weekly report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from bookings.models import Booking
from disputes.models import Dispute, DisputeStatus
from payments.models import Transaction, TransactionStatus

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


# --- weekly report --------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekRow:
    week: datetime  # Monday 00:00 UTC
    bookings: int
    deposits: Decimal
    refunds: Decimal

    @property
    def net(self) -> Decimal:
        return self.deposits - self.refunds


def report_week_starts(*, weeks: int = 12, now: datetime | None = None) -> list[datetime]:
    """The Mondays (00:00 UTC) of the last `weeks` weeks, the current one last."""
    now = (now or timezone.now()).astimezone(UTC)
    this_monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return [this_monday - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]


def _by_week(qs, field: str, **aggregates) -> dict[datetime, dict]:
    # PostgreSQL's date_trunc('week') starts weeks on Monday; truncating in UTC keeps one clock.
    rows = qs.annotate(week=TruncWeek(field, tzinfo=UTC)).values("week").annotate(**aggregates).order_by("week")
    return {row["week"]: row for row in rows}


def weekly_report(*, weeks: int = 12, now: datetime | None = None) -> list[WeekRow]:
    """Bookings created, deposits collected (paid_amount of paid transactions by paid_at week) and
    refunds (dispute refunds by resolution week) per week; one query per series."""
    starts = report_week_starts(weeks=weeks, now=now)
    since = starts[0]
    bookings = _by_week(Booking.objects.filter(created_at__gte=since), "created_at", n=Count("id"))
    deposits = _by_week(
        # Refunded transactions were collected too; the refund shows in its own series.
        Transaction.objects.filter(
            paid_at__gte=since,
            status__in=[
                TransactionStatus.PAID,
                TransactionStatus.PARTIALLY_REFUNDED,
                TransactionStatus.REFUNDED,
            ],
        ),
        "paid_at",
        total=Sum("paid_amount"),
    )
    refunds = _by_week(
        Dispute.objects.filter(resolved_at__gte=since, refund_amount__gt=0), "resolved_at", total=Sum("refund_amount")
    )
    return [
        WeekRow(
            week=start,
            bookings=bookings.get(start, {}).get("n", 0),
            deposits=deposits.get(start, {}).get("total") or ZERO,
            refunds=refunds.get(start, {}).get("total") or ZERO,
        )
        for start in starts
    ]
