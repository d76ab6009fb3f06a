"""A bad bearer credential is a 401 that a person can read, in their language, with one code.

simplejwt raises its errors with a dict for a detail ({"detail": ..., "code": ..., "messages": ...});
the API answers with its own one-message shape instead (tattoo/core/errors.py), never a printed dict.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from accounts.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def expired_token() -> str:
    token = AccessToken.for_user(CustomerFactory())
    token.set_exp(lifetime=-timedelta(minutes=1))
    return f"Bearer {token}"


def token_of_a_deactivated_user() -> str:
    user = CustomerFactory()
    token = str(AccessToken.for_user(user))
    User.objects.filter(pk=user.pk).update(is_active=False)
    return f"Bearer {token}"


CREDENTIALS = {
    "no token": lambda: "Bearer",
    "three parts": lambda: "Bearer a b",
    "not a token": lambda: "Bearer garbage",
    "expired": expired_token,
    "deactivated user": token_of_a_deactivated_user,
}


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_a_bad_bearer_credential_is_a_401_with_a_readable_message_in_each_language(credential):
    header = CREDENTIALS[credential]()
    answers = {
        language: APIClient().get("/api/auth/me", HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE=language)
        for language in ("en", "mn")
    }
    for language, response in answers.items():
        assert response.status_code == 401, (language, response.content)
        body = response.json()
        assert body["code"] == "authentication_failed", body
        assert body["fields"] == {}
        message = body["message"]
        assert message, body
        assert not any(mark in message for mark in ("{", "ErrorDetail", "'detail'")), message
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert answers["en"].json()["message"] != answers["mn"].json()["message"]
