"""Role permissions from accounts/permissions.py: no credentials → 401, wrong role → 403."""

from __future__ import annotations

import pytest
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin, IsCustomer, IsTattooist, IsTattooistOrAdmin
from accounts.tests.factories import AdminFactory, CustomerFactory, TattooistFactory
from testing.clients import client_for


def _view(permission):
    class View(APIView):
        permission_classes = [permission]

        def get(self, request):
            return Response({"ok": True, "role": request.user.role})

    return View.as_view()


urlpatterns = [
    path("api/t/customer", _view(IsCustomer)),
    path("api/t/tattooist", _view(IsTattooist)),
    path("api/t/admin", _view(IsAdmin)),
    path("api/t/tattooist-or-admin", _view(IsTattooistOrAdmin)),
]

ROLES = {
    "customer": lambda: CustomerFactory(),
    "tattooist": lambda: TattooistFactory().user,
    "admin": lambda: AdminFactory(),
}
ALLOWED = {
    "customer": {"customer"},
    "tattooist": {"tattooist"},
    "admin": {"admin"},
    "tattooist-or-admin": {"tattooist", "admin"},
}


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", sorted(ALLOWED))
def test_anonymous_callers_get_401(client, endpoint):
    response = client.get(f"/api/t/{endpoint}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", sorted(ALLOWED))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_gets_200_or_403(endpoint, role):
    response = client_for(ROLES[role]()).get(f"/api/t/{endpoint}")
    if role in ALLOWED[endpoint]:
        assert response.status_code == 200
        assert response.json()["role"] == role
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
