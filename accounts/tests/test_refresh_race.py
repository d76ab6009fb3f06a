from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.tests.factories import PASSWORD, CustomerFactory
from testing.races import hammer


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_refreshes_of_one_token_yield_at_most_one_new_token():
    user = CustomerFactory()
    tokens = APIClient().post("/api/auth/login", {"email": user.email, "password": PASSWORD}, format="json").json()
    before = OutstandingToken.objects.filter(user=user).count()

    def refresh(_i):
        response = APIClient().post("/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json")
        return response.status_code

    results = hammer(refresh, n=10)
    assert sorted(results) == [200] + [401] * 9, results
    # exactly one new refresh token was minted
    assert OutstandingToken.objects.filter(user=user).count() == before + 1
