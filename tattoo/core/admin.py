"""Admin building blocks every app's admin may use, and the core's own queue of bucket deletes."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from tattoo.core.models import PendingObjectDeletion


class ReadOnlyAdminMixin:
    """A model admin that shows rows and never adds, edits or deletes them: they change only
    through services (audit rows, money), whose actions the admin may still offer."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(PendingObjectDeletion)
class PendingObjectDeletionAdmin(admin.ModelAdmin[PendingObjectDeletion]):
    list_display = ["key", "attempts", "last_error", "created_at", "updated_at"]
    search_fields = ["key"]
    readonly_fields = ["key", "attempts", "last_error", "created_at", "updated_at"]
