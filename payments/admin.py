from datetime import UTC, timedelta
from decimal import Decimal

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Min, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.admin import BookingAdmin
from bookings.event_notes import note_display
from bookings.models import Booking
from payments import ledger
from payments.models import (
    REFUND_DONE,
    REFUND_OPEN,
    LedgerEvent,
    LedgerEventKind,
    Payment,
    Refund,
    RefundStatus,
    Transaction,
)
from tattoo.core.admin import ReadOnlyAdminMixin
from tattoo.core.admin_csv import CsvExportMixin

ZERO = Decimal("0.00")


# A transaction's CSV columns (the Transaction admin's export; the manual-refund queue picks some).
TRANSACTION_CSV_COLUMNS = [
    ("id", lambda t: t.pk),
    ("booking_id", lambda t: t.booking_id),
    ("amount", lambda t: t.amount),
    ("currency", lambda t: t.currency),
    ("status", lambda t: t.status),
    ("flag", lambda t: t.flag),
    ("payment_type", lambda t: t.payment_type),
    ("paid_amount", lambda t: t.paid_amount),
    ("paid_at", lambda t: t.paid_at),
    ("refunded_amount", lambda t: t.refunded_amount),
    ("refund_state", lambda t: t.refund_state),
    ("qpay_invoice_id", lambda t: t.qpay_invoice_id),
    ("created_at", lambda t: t.created_at),
]


def csv_columns_named(*names: str) -> list:
    by_name = dict(TRANSACTION_CSV_COLUMNS)
    return [(name, by_name[name]) for name in names]


class ManualRefundDoneAction:
    """The admin action that marks a transaction's manual refunds done (payments.ledger owns the move)."""

    @admin.action(description=_("Mark the manual refund as done"))
    def mark_manual_refund_done(self, request, queryset):
        done = sum(
            ledger.transaction_mark_manual_refund_done(transaction_id=pk, actor=request.user)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            _("%(count)s refund(s) marked done.") % {"count": done},
            messages.SUCCESS,
        )


@admin.register(Transaction)
class TransactionAdmin(ManualRefundDoneAction, ReadOnlyAdminMixin, CsvExportMixin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "id",
        "booking",
        "amount",
        "status",
        "flag",
        "refund_state",
        "paid_amount",
        "refunded_amount",
        "qpay_invoice_id",
        "created_at",
    ]
    list_filter = ["status", "flag", "refund_state", "created_at"]
    search_fields = ["qpay_invoice_id", "qpay_payment_id", "booking__id", "booking__customer__email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    # Read-only rows; the actions go through services (refund queue) or only read (CSV).
    actions = ["mark_manual_refund_done", "export_selected_csv"]
    csv_filename = "transactions"
    csv_columns = TRANSACTION_CSV_COLUMNS


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, CsvExportMixin, admin.ModelAdmin):
    """The refund queue (docs/deposits.md): one row per payment row owed back. `manual_required`
    rows are what staff refund by hand in the merchant portal or bank (P2P payments, parts of card
    payments, card refunds QPay refused); the page shows their total and the oldest one's age."""

    change_list_template = "admin/payments/refund/change_list.html"  # the queue's totals above the list
    list_display = [
        "id",
        "booking",
        "payment_type",
        "amount",
        "status",
        "age",
        "reason_shown",
        "qpay_error",
        "created_at",
    ]
    list_filter = ["status", "payment__payment_type"]
    search_fields = ["booking__id", "payment__qpay_payment_id", "booking__customer__email"]
    ordering = ["created_at", "id"]
    actions = ["mark_done", "export_selected_csv"]
    csv_filename = "refunds"
    csv_columns = [
        ("id", lambda r: r.pk),
        ("booking_id", lambda r: r.booking_id),
        ("qpay_payment_id", lambda r: r.payment.qpay_payment_id),
        ("payment_type", lambda r: r.payment.payment_type),
        ("amount", lambda r: r.amount),
        ("status", lambda r: r.status),
        ("reason", lambda r: r.reason),
        ("created_at", lambda r: r.created_at),
        ("done_at", lambda r: r.done_at),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment", "booking")

    @admin.display(description=_("type"), ordering="payment__payment_type")
    def payment_type(self, obj: Refund) -> str:
        return obj.payment.payment_type

    @admin.display(description=_("reason"), ordering="reason")
    def reason_shown(self, obj: Refund) -> str:
        """The reason a flow wrote, in the reader's language (bookings/event_notes.py)."""
        return note_display(obj.reason)

    @admin.display(description=_("age"))
    def age(self, obj: Refund) -> str:
        return _age((obj.done_at or timezone.now()) - obj.created_at)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "queue": refund_queue_totals()}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.action(description=_("Mark the manual refund as done"))
    def mark_done(self, request, queryset):
        done = sum(
            ledger.refund_mark_done(refund_id=pk, actor=request.user) for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            _("%(count)s refund(s) marked done.") % {"count": done},
            messages.SUCCESS,
        )


def _age(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours >= 24:
        return _("%(days)s d %(hours)s h") % {"days": hours // 24, "hours": hours % 24}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": int(delta.total_seconds() // 60) % 60}


def refund_queue_totals(now=None) -> dict:
    """Count, total and the oldest age of the manual queue, and what is waiting on QPay."""
    now = now or timezone.now()
    manual = Refund.objects.filter(status=RefundStatus.MANUAL_REQUIRED).aggregate(
        count=Count("id"), total=Coalesce(Sum("amount"), ZERO), oldest=Min("created_at")
    )
    qpay = Refund.objects.filter(status=RefundStatus.QPAY_PENDING).aggregate(
        count=Count("id"), total=Coalesce(Sum("amount"), ZERO)
    )
    return {
        "manual_count": manual["count"],
        "manual_total": manual["total"],
        "manual_oldest_age": _age(now - manual["oldest"]) if manual["oldest"] else "",
        "qpay_count": qpay["count"],
        "qpay_total": qpay["total"],
    }


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


def ledger_report_view(request):
    report = ledger_report(days=14)
    context = {
        **admin.site.each_context(request),
        "title": _("Deposit ledger, per day (last 14 days, UTC)"),
        **report,
        "totals": {
            key: sum((r[key] for r in report["rows"]), ZERO) for key in ("paid", "refunded", "kept", "refunds_recorded")
        },
    }
    return TemplateResponse(request, "admin/payments/ledger_report.html", context)


class TransactionInline(admin.TabularInline):
    """The booking's payments, read-only: money moves only through the payment and dispute services."""

    model = Transaction
    extra = 0
    can_delete = False
    show_change_link = True
    fields = [
        "created_at",
        "status",
        "flag",
        "payment_type",
        "amount",
        "paid_amount",
        "paid_at",
        "refunded_amount",
        "refund_state",
        "qpay_invoice_id",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The booking's page shows its payments first; bookings sits below payments and cannot name them.
class BookingWithPaymentsAdmin(BookingAdmin):
    inlines = [TransactionInline, *BookingAdmin.inlines]


admin.site.unregister(Booking)
admin.site.register(Booking, BookingWithPaymentsAdmin)
