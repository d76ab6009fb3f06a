from django.contrib import admin, messages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.admin import BookingAdmin
from bookings.event_notes import note_display
from bookings.models import Booking
from payments import ledger
from payments.models import Refund, Transaction
from payments.selectors import age_text, refund_queue_totals
from tattoo.core.admin import ReadOnlyAdminMixin
from tattoo.core.admin_csv import CsvExportMixin

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
        return age_text((obj.done_at or timezone.now()) - obj.created_at)

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
