"""Staff tools in the Django admin: the dispute queue and its resolve form, and the manual refund
queue. Every change goes through disputes/services.py, as the API does. The admin index and the
reports are the back office's (backoffice/)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, payment_status_word, status_word
from disputes import selectors, services
from disputes.models import Dispute, DisputeStatus, ManualRefund
from payments.admin import ManualRefundDoneAction, csv_columns_named
from payments.models import RefundState, Transaction
from tattoo.core.admin import ReadOnlyAdminMixin
from tattoo.core.admin_csv import CsvExportMixin
from tattoo.core.errors import ApplicationError
from tattoo.core.money import MAX_AMOUNT


class DisputeResolveForm(forms.Form):
    booking_status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in services.RESOLUTION_STATUSES], label=_("Booking becomes")
    )
    refund_amount = forms.DecimalField(
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        label=_("Refund (₮)"),
        help_text=_("Leave empty for no refund."),
    )
    resolution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), max_length=4000, label=_("Resolution")
    )

    # the service's camelCase field names → this form's fields
    SERVICE_FIELDS = {"bookingStatus": "booking_status", "refundAmount": "refund_amount", "resolution": "resolution"}


@admin.register(Dispute)
# Read-only: disputes are opened through the API (staff route or the parties' route) and resolved
# only through the resolve form (the service), never edited.
class DisputeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "status",
        "booking_link",
        "initiator",
        "status_before",
        "refund_amount",
        "created_at",
        "resolved_at",
        "resolve_link",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["reason", "resolution", "booking__id", "initiator__email"]
    list_select_related = ["booking", "initiator"]
    readonly_fields = [
        "booking_link",
        "initiator",
        "reason",
        "status",
        "status_before",
        "resolution",
        "refund_amount",
        "resolved_by",
        "resolved_at",
        "created_at",
        "resolve_link",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        # The queue: open disputes first, oldest on top; resolved ones after.
        return selectors.dispute_queue().select_related("booking", "initiator", "resolved_by")

    def get_ordering(self, request):
        return ["open_first", "created_at", "id"]

    @admin.display(description=_("booking"), ordering="booking_id")
    def booking_link(self, obj: Dispute):
        url = reverse("admin:bookings_booking_change", args=[obj.booking_id])
        return format_html('<a href="{}">{} {}</a>', url, _("booking"), obj.booking_id)

    @admin.display(description=_("booking status before"), ordering="booking_status_before")
    def status_before(self, obj: Dispute) -> str:
        return status_word(obj.booking_status_before)

    @admin.display(description=_("resolve"))
    def resolve_link(self, obj: Dispute):
        if obj.status != DisputeStatus.OPEN:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:disputes_dispute_resolve", args=[obj.pk]), _("Resolve…")
        )

    def get_urls(self):
        return [
            path(
                "<int:dispute_id>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="disputes_dispute_resolve",
            ),
            *super().get_urls(),
        ]

    def resolve_view(self, request, dispute_id: int):
        dispute = get_object_or_404(Dispute.objects.select_related("booking", "initiator"), pk=dispute_id)
        form = DisputeResolveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.dispute_resolve(
                    dispute_id=dispute.pk,
                    actor=request.user,
                    resolution=form.cleaned_data["resolution"],
                    booking_status=form.cleaned_data["booking_status"],
                    refund_amount=form.cleaned_data["refund_amount"],
                )
            except ApplicationError as exc:
                # Business-rule refusals (too large a refund, already resolved) show on the form.
                placed = False
                for name, msgs in exc.fields.items():
                    if name in form.SERVICE_FIELDS:
                        for msg in msgs:
                            form.add_error(form.SERVICE_FIELDS[name], msg)
                        placed = True
                if not placed:
                    form.add_error(None, exc.message)
            else:
                self.message_user(request, _("Dispute %(pk)s resolved.") % {"pk": dispute.pk}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:disputes_dispute_changelist"))
        booking = Booking.objects.select_related("customer", "tattooist__user").get(pk=dispute.booking_id)
        transactions = Transaction.objects.filter(booking_id=booking.pk).order_by("-created_at", "-id")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Resolve dispute %(pk)s") % {"pk": dispute.pk},
            "dispute": dispute,
            "booking": booking,
            # the statuses as words in the page's language (never the raw codes)
            "booking_status": status_word(booking.status),
            "status_before": status_word(dispute.booking_status_before),
            "payment_status": payment_status_word(booking.payment_status),
            "transactions": transactions,
            "form": form,
        }
        return TemplateResponse(request, "admin/disputes/dispute/resolve.html", context)


@admin.register(ManualRefund)
class ManualRefundAdmin(ManualRefundDoneAction, ReadOnlyAdminMixin, CsvExportMixin, admin.ModelAdmin):
    """Refunds staff owe by hand (QR/bank payments cannot be refunded through QPay)."""

    list_display = ["id", "booking", "payment_type", "paid_amount", "refunded_amount", "refund_state", "updated_at"]
    list_filter = ["payment_type"]
    search_fields = ["qpay_invoice_id", "qpay_payment_id", "booking__id", "booking__customer__email"]
    actions = ["mark_manual_refund_done", "export_selected_csv"]
    csv_filename = "manual-refunds"
    csv_columns = [
        *csv_columns_named("id", "booking_id", "payment_type", "paid_amount", "refunded_amount"),
        ("qpay_payment_id", lambda t: t.qpay_payment_id),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(refund_state=RefundState.MANUAL_REQUIRED).order_by("updated_at")
