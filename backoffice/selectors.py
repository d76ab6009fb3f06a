"""The staff's reports: the weekly report (bookings, deposits, refunds), the trust report
(consent, reviews, healed photos) and the daily deposit ledger. Set-based reads over several apps'
tables, one query per series; the pages are backoffice/views.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.utils import timezone

from bookings.models import Booking, BookingStatus, ConsentRecord
from disputes.models import Dispute
from payments import ledger
from payments.models import (
    REFUND_DONE,
    REFUND_OPEN,
    LedgerEvent,
    LedgerEventKind,
    Payment,
    Refund,
    Transaction,
    TransactionStatus,
)
from payments.selectors import refund_queue_totals
from reviews.models import Review

ZERO = Decimal("0.00")


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


# --- the trust report ------------------------------------------------------------------------------

# A session that started: the booking was confirmed and its time came (it may since be completed or
# disputed). A no-show did not start; cancelled and expired bookings never had a session.
STARTED = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.DISPUTED)


@dataclass(frozen=True)
class TrustRow:
    week: datetime  # Monday 00:00 UTC of the sessions' week
    started: int  # sessions that started
    consented: int  # of them, with a signed consent
    completed: int  # sessions marked completed
    reviewed: int  # of them, reviewed
    photo_due: int  # completed sessions at least HEALED_PHOTO_DAYS old
    photos: int  # of them, with a healed photo on their review

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def consent_rate(self) -> float | None:
        return self.share(self.consented, self.started)

    @property
    def review_rate(self) -> float | None:
        return self.share(self.reviewed, self.completed)

    @property
    def photo_rate(self) -> float | None:
        return self.share(self.photos, self.photo_due)


def trust_report(*, weeks: int = 12, now: datetime | None = None) -> tuple[list[TrustRow], TrustRow]:
    """Per week of the sessions' start (UTC, Monday first; the weekly report's weeks) and in total:
    consent completion (started sessions with a signed consent, the goal is 100 %), review rate
    (completed sessions reviewed) and healed-photo rate (completed sessions at least
    HEALED_PHOTO_DAYS old whose review has a healed photo). One query."""
    now = now or timezone.now()
    starts = report_week_starts(weeks=weeks, now=now)
    photo_cutoff = now - timedelta(days=settings.HEALED_PHOTO_DAYS)
    has_review = Exists(Review.objects.filter(booking_id=OuterRef("pk")))
    has_photo = Exists(Review.objects.filter(booking_id=OuterRef("pk")).exclude(image_key=""))
    has_consent = Exists(ConsentRecord.objects.filter(booking_id=OuterRef("pk")))
    completed = Q(status=BookingStatus.COMPLETED)
    rows = (
        Booking.objects.filter(slot__gte=starts[0], slot__lte=now, status__in=STARTED)
        .annotate(
            week=TruncWeek("slot", tzinfo=UTC),
            _review=has_review,
            _photo=has_photo,
            _consent=has_consent,
        )
        .values("week")
        .annotate(
            started=Count("id"),
            consented=Count("id", filter=Q(_consent=True)),
            completed=Count("id", filter=completed),
            reviewed=Count("id", filter=completed & Q(_review=True)),
            photo_due=Count("id", filter=completed & Q(slot__lte=photo_cutoff)),
            photos=Count("id", filter=completed & Q(slot__lte=photo_cutoff, _photo=True)),
        )
        .order_by("week")
    )
    # the counts of a week by name (a `values()` row: the week and the six counts)
    found: dict[datetime, Mapping[str, Any]] = {row["week"]: row for row in rows}
    names = ("started", "consented", "completed", "reviewed", "photo_due", "photos")
    weekly = [TrustRow(week=start, **{n: found.get(start, {}).get(n, 0) for n in names}) for start in starts]
    total = TrustRow(week=starts[0], **{n: sum(getattr(r, n) for r in weekly) for n in names})
    return weekly, total


# --- the daily deposit ledger ----------------------------------------------------------------------


def ledger_report(*, days: int = 14, now=None) -> dict:
    """The daily ledger report (UTC days): paid, refunded, kept and refunds recorded per day, the
    refunds still pending, and every booking whose transactions and ledger disagree."""
    now = now or timezone.now()
    since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)

    def per_day(qs, field: str, sign: int = 1) -> dict:
        rows = qs.filter(**{f"{field}__gte": since}).annotate(day=TruncDate(field, tzinfo=UTC)).values("day")
        return {r["day"]: sign * r["total"] for r in rows.annotate(total=Sum("amount")).values("day", "total")}

    paid = per_day(Payment.objects.all(), "paid_at")
    refunded = per_day(Refund.objects.filter(status__in=REFUND_DONE), "done_at")
    kept = per_day(LedgerEvent.objects.filter(kind=LedgerEventKind.KEPT), "created_at")
    unkept = per_day(LedgerEvent.objects.filter(kind=LedgerEventKind.UNKEPT), "created_at")
    recorded = per_day(Refund.objects.all(), "created_at")
    rows = []
    for i in range(days):
        day = (since + timedelta(days=i)).date()
        rows.append(
            {
                "day": day,
                "paid": paid.get(day, ZERO),
                "refunded": refunded.get(day, ZERO),
                "kept": kept.get(day, ZERO) - unkept.get(day, ZERO),
                "refunds_recorded": recorded.get(day, ZERO),
            }
        )
    pending = Refund.objects.filter(status__in=REFUND_OPEN).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return {
        "rows": rows,
        "pending": pending,
        "queue": refund_queue_totals(now),
        "disagreements": ledger.ledger_disagreements(),
    }
