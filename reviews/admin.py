"""Staff tools: reviews (hide or show again, with a reason, audited). Every change goes through
reviews/services.py; the trust report is the back office's (backoffice/)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reviews import services
from reviews.models import TEXT_MAX, Review, ReviewModeration
from tattoo.core.admin import ReadOnlyAdminMixin
from tattoo.core.errors import ApplicationError


class ModerationInline(admin.TabularInline):
    model = ReviewModeration
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "action", "reason"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class ReviewModerateForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=TEXT_MAX,
        label=_("Reason"),
        help_text=_("Kept in the review's history. Never hide a review for its rating alone."),
    )


@admin.register(Review)
# Read-only: the customer writes a review, the artist replies, staff only hide it (or show it again)
# through the moderation page, with a reason.
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "booking", "tattooist", "rating", "created_at", "is_hidden_shown", "moderate_link"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter), "rating", "created_at"]
    search_fields = ["booking__id", "tattooist__user__name", "customer__email", "text"]
    list_select_related = ["booking", "tattooist__user"]
    readonly_fields = [
        "booking",
        "tattooist",
        "customer",
        "rating",
        "text",
        "reply",
        "replied_at",
        "image_url",
        "hidden_at",
        "hidden_reason",
        "created_at",
        "moderate_link",
    ]
    fields = readonly_fields
    inlines = [ModerationInline]

    @admin.display(description=_("hidden"), boolean=True, ordering="hidden_at")
    def is_hidden_shown(self, obj: Review) -> bool:
        return obj.is_hidden

    @admin.display(description=_("moderate"))
    def moderate_link(self, obj: Review):
        label = _("Show again…") if obj.is_hidden else _("Hide…")
        return format_html('<a href="{}">{}</a>', reverse("admin:reviews_review_moderate", args=[obj.pk]), label)

    def get_urls(self):
        return [
            path(
                "<int:review_id>/moderate/",
                self.admin_site.admin_view(self.moderate_view),
                name="reviews_review_moderate",
            ),
            *super().get_urls(),
        ]

    def moderate_view(self, request, review_id: int):
        review = get_object_or_404(Review.objects.select_related("tattooist__user", "customer"), pk=review_id)
        hide = not review.is_hidden
        form = ReviewModerateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.review_set_hidden(
                    review_id=review.pk, actor=request.user, hidden=hide, reason=form.cleaned_data["reason"]
                )
            except ApplicationError as exc:
                form.add_error("reason" if "reason" in exc.fields else None, exc.message)
            else:
                done = _("Review %(pk)s hidden.") if hide else _("Review %(pk)s shown again.")
                self.message_user(request, done % {"pk": review.pk}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:reviews_review_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": (_("Hide review %(pk)s") if hide else _("Show review %(pk)s again")) % {"pk": review.pk},
            "review": review,
            "hide": hide,
            "form": form,
        }
        return TemplateResponse(request, "admin/reviews/review/moderate.html", context)
