"""Admin building blocks every app's admin may use (the core registers no model)."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """A model admin that shows rows and never adds, edits or deletes them: they change only
    through services (audit rows, money), whose actions the admin may still offer."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
