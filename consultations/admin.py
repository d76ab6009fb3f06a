"""Staff's view of custom work: requests, quotes and projects, read-only (they change only through
services, audited); the one staff action is cancelling a project (consultations.services.projects).
The report of answers and conversions is the back office's page (backoffice/views.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from consultations.models import (
    Consultation,
    ConsultationEvent,
    ConsultationMessage,
    Project,
    ProjectSession,
    Quote,
)
from consultations.services.projects import project_cancel
from tattoo.core.admin import ReadOnlyAdminMixin
from tattoo.core.errors import ApplicationError


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MessageInline(_ReadOnlyInline):
    model = ConsultationMessage
    fields = ["created_at", "author", "body"]
    readonly_fields = fields


class QuoteInline(_ReadOnlyInline):
    model = Quote
    show_change_link = True
    fields = ["version", "status", "price_min", "price_max", "sessions", "deposit_amount", "expires_at"]
    readonly_fields = fields


class EventInline(_ReadOnlyInline):
    model = ConsultationEvent
    fields = ["created_at", "subject", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "status", "customer", "tattooist", "placement", "created_at", "first_answered_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["id", "customer__email", "tattooist__user__email", "tattooist__user__name"]
    list_select_related = ["customer", "tattooist__user"]
    # The date of birth is not shown: staff need only know the check passed.
    fields = [
        "customer",
        "tattooist",
        "status",
        "description",
        "placement",
        "width_cm",
        "height_cm",
        "colour",
        "budget_max",
        "availability_note",
        "first_answered_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [QuoteInline, MessageInline, EventInline]


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "consultation", "version", "status", "price_min", "price_max", "sessions", "expires_at"]
    list_filter = ["status", "deposit_applies_to"]
    search_fields = ["consultation__id"]
    list_select_related = ["consultation"]


class SessionInline(_ReadOnlyInline):
    model = ProjectSession
    fields = ["seq", "booking", "created_at"]
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "status", "customer", "tattooist", "sessions_planned", "deposit_amount", "created_at"]
    list_filter = ["status", "deposit_applies_to"]
    search_fields = ["id", "customer__email", "tattooist__user__email"]
    list_select_related = ["customer", "tattooist__user"]
    inlines = [SessionInline]
    actions = ["cancel_projects"]

    @admin.action(description=_("Cancel the selected projects (booked sessions cancelled, deposit by the policy)"))
    def cancel_projects(self, request, queryset):
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                project_cancel(user=request.user, project_id=pk)
            except ApplicationError as exc:
                self.message_user(request, f"#{pk}: {exc.message}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, _("%(count)s project(s) cancelled.") % {"count": done}, messages.SUCCESS)
