from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.models import Tattooist, User
from accounts.services import tattooist_set_approval
from tattoo.core.l10n import money

# Approval has one way in (accounts.services.tattooist_set_approval), used by the API and these
# actions alike, so approved/approved_at/approved_by never disagree.
APPROVAL_FIELDS = ["approved", "approved_at", "approved_by", "approval_note"]


class ApprovalNoteForm(forms.Form):
    note = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), label=_("Note")
    )


# Kept by other code: the avatar goes through the bucket (accounts/profile.py), the rating through
# reviews; staff see them.
DERIVED_FIELDS = ["avatar_url", "rating_count", "rating_average"]


class TattooistInline(admin.StackedInline):
    model = Tattooist
    fk_name = "user"
    extra = 0
    readonly_fields = [*APPROVAL_FIELDS, *DERIVED_FIELDS]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "email", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["name", "email"]
    ordering = ["-created_at"]
    readonly_fields = ["password", "created_at", "last_login"]
    fields = ["name", "email", "role", "is_active", "password", "last_login", "created_at"]
    inlines = [TattooistInline]


@admin.register(Tattooist)
class TattooistAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "name",
        "email",
        "studio_name",
        "district",
        "approved",
        "approved_at",
        "booking_mode",
        "price",
        "timezone",
    ]
    list_filter = ["approved", "district", "booking_mode", "timezone"]
    search_fields = ["user__name", "user__email", "studio_name", "bio"]
    list_select_related = ["user"]
    readonly_fields = [*APPROVAL_FIELDS, *DERIVED_FIELDS, "created_at", "updated_at"]
    raw_id_fields = ["user"]
    actions = ["approve_artists", "unapprove_artists"]

    def _set_approval(self, request, queryset, approved: bool, action: str):
        """First a page asking for the note (like Django's delete confirmation), then the change."""
        form = ApprovalNoteForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = 0
            for pk in queryset.values_list("pk", flat=True):
                tattooist_set_approval(
                    tattooist_id=pk, approved=approved, actor=request.user, note=form.cleaned_data["note"]
                )
                count += 1
            done = _("%(count)s artist(s) approved.") if approved else _("%(count)s artist(s) unapproved.")
            self.message_user(request, done % {"count": count}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Approve artists") if approved else _("Unapprove artists"),
            "artists": queryset.select_related("user"),
            "form": form,
            "action": action,
            "approved": approved,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/inkbook/approval_note.html", context)

    @admin.action(description=_("Approve selected artists"))
    def approve_artists(self, request, queryset):
        return self._set_approval(request, queryset, True, "approve_artists")

    @admin.action(description=_("Unapprove selected artists (hide them and stop new bookings)"))
    def unapprove_artists(self, request, queryset):
        return self._set_approval(request, queryset, False, "unapprove_artists")

    @admin.display(description=_("name"), ordering="user__name")
    def name(self, obj):
        return obj.user.name

    @admin.display(description=_("price from"), ordering="price_from")
    def price(self, obj):
        return money(obj.price_from)

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email
