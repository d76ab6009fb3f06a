from django.contrib import admin

from disputes.models import Dispute


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = ["id", "booking", "initiator", "status", "refund_amount", "created_at", "resolved_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["reason", "resolution", "booking__id"]
    raw_id_fields = ["booking", "initiator", "resolved_by"]
