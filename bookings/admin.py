from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bookings.event_notes import note_display
from bookings.models import Availability, Booking, BookingEvent, ConsentRecord, TimeOff
from tattoo.core.admin import ReadOnlyAdminMixin
from tattoo.core.admin_csv import CsvExportMixin


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "created_at",
        "actor",
        "from_status",
        "to_status",
        "from_payment_status",
        "to_payment_status",
        "note_shown",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("note"))
    def note_shown(self, obj: BookingEvent) -> str:
        """The note a flow wrote, in the reader's language (bookings/event_notes.py)."""
        return note_display(obj.note)


@admin.register(Booking)
class BookingAdmin(CsvExportMixin, admin.ModelAdmin):
    list_display = ["id", "customer", "tattooist", "slot", "status", "payment_status", "deposit_amount", "created_at"]
    list_filter = ["status", "payment_status", "slot", "created_at"]
    search_fields = ["id", "customer__email", "customer__name", "tattooist__user__name", "notes"]
    list_select_related = ["customer", "tattooist__user"]
    raw_id_fields = ["customer", "tattooist"]
    date_hierarchy = "slot"
    readonly_fields = ["status", "payment_status", "hold_expires_at", "created_at", "updated_at"]
    # payments/admin.py shows the booking's payments too (BookingWithPaymentsAdmin).
    inlines = [BookingEventInline]
    actions = ["export_selected_csv"]
    csv_filename = "bookings"
    csv_columns = [
        ("id", lambda b: b.pk),
        ("customer_email", lambda b: b.customer.email),
        ("tattooist_id", lambda b: b.tattooist_id),
        ("tattooist_name", lambda b: b.tattooist.user.name),
        ("slot", lambda b: b.slot),
        ("ends_at", lambda b: b.ends_at),
        ("status", lambda b: b.status),
        ("payment_status", lambda b: b.payment_status),
        ("deposit_amount", lambda b: b.deposit_amount),
        ("created_at", lambda b: b.created_at),
    ]


@admin.register(BookingEvent)
class BookingEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "booking",
        "actor",
        "from_status",
        "to_status",
        "from_payment_status",
        "to_payment_status",
        "created_at",
    ]
    list_filter = ["to_status", "to_payment_status"]
    search_fields = ["booking__id", "note"]


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ["id", "tattooist", "day", "start_time", "end_time"]
    list_filter = ["day"]
    search_fields = ["tattooist__user__name"]
    raw_id_fields = ["tattooist"]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["id", "tattooist", "starts_at", "ends_at", "reason"]
    search_fields = ["tattooist__user__name", "reason"]
    raw_id_fields = ["tattooist"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Staff see that a booking's consent exists and when it was signed, never the answers: the
    encrypted column is not shown and nothing here opens it (docs/security.md, row 24)."""

    list_display = ["id", "booking", "signed_at", "form_version", "key_id"]
    list_filter = ["key_id"]
    search_fields = ["booking__id"]
    list_select_related = ["booking"]
    fields = ["booking", "signed_at", "form_version", "key_id"]
    readonly_fields = fields
