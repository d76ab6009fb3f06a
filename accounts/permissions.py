"""Role permissions for every app: no credentials → 401, wrong role → 403."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission, IsAuthenticated

from accounts.models import Role


class _HasRole(IsAuthenticated):
    roles: tuple[str, ...] = ()
    message = _("Your role cannot do this.")

    def has_permission(self, request, view) -> bool:
        # IsAuthenticated first, so anonymous callers get 401 rather than 403.
        return super().has_permission(request, view) and request.user.role in self.roles


class IsCustomer(_HasRole):
    roles = (Role.CUSTOMER,)
    message = _("Only customers can do this.")


class IsTattooist(_HasRole):
    roles = (Role.TATTOOIST,)
    message = _("Only tattooists can do this.")


class IsAdmin(_HasRole):
    roles = (Role.ADMIN,)
    message = _("Only staff can do this.")


class IsTattooistOrAdmin(_HasRole):
    roles = (Role.TATTOOIST, Role.ADMIN)
    message = _("Only tattooists and staff can do this.")


class ReadOnly(BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.method in ("GET", "HEAD", "OPTIONS")
