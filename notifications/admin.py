from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from notifications import services
from notifications.models import Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    """Staff see every outgoing message; one that keeps failing shows its last error here."""

    list_display = ["id", "kind", "to_address", "status", "attempts", "short_error", "created_at", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["to_address", "event_key", "subject"]
    ordering = ["-created_at"]
    actions = ["send_again"]
    readonly_fields = [f.name for f in Outbox._meta.get_fields() if hasattr(f, "attname")]

    @admin.display(description=_("last error"))
    def short_error(self, row: Outbox) -> str:
        return row.last_error[:120]

    @admin.action(description=_("Send the selected failed messages again"))
    def send_again(self, request, queryset):
        count = services.outbox_resend(outbox_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            _("%(count)s message(s) queued again.") % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
