from django.contrib import admin, messages
from django.db import models

from bookings.admin import BookingAdmin
from bookings.models import Booking
from payments.models import Transaction
from tattoo.core.admin_csv import CsvExportMixin


@admin.register(Transaction)
class TransactionAdmin(CsvExportMixin, admin.ModelAdmin):
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
    csv_columns = [
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

    @admin.action(description="Mark the manual refund as done")
    def mark_manual_refund_done(self, request, queryset):
        from disputes.services import transaction_mark_manual_refund_done

        done = sum(
            transaction_mark_manual_refund_done(transaction_id=pk, actor=request.user)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"{done} refund(s) marked done.", messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
