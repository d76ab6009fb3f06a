from django.contrib import admin

from payments.models import Transaction


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
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
    search_fields = ["qpay_invoice_id", "qpay_payment_id", "booking__id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
