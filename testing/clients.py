"""Signed-in test clients: `client_for(user)` for the API, `staff_login(client, user)` for pages and
the admin, `logged_in(user)` and `csrf_client(user)` for pages. Tests import them from here (a
conftest is pytest's to load, not a module to import)."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient


def client_for(user: Any) -> APIClient:
    """An APIClient authenticated with a real access token for `user`."""
    from accounts import mfa
    from accounts.tokens import tokens_for_user

    client = APIClient()
    # Staff tokens carry the second factor, as POST /api/auth/login with `otp` issues them.
    access = tokens_for_user(user, otp_verified=mfa.requires_otp(user))["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def staff_login(client: Any, user: Any) -> Any:
    """Log `user` (staff) into a Django test client with a verified second factor, as the admin's
    login form with a TOTP code would (accounts/mfa.py). Returns the user's TOTP device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import mfa

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or mfa.enrol(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def logged_in(user: Any) -> Any:
    """A Django test client (pages) logged in as `user`; staff with a verified second factor."""
    from django.test import Client

    from accounts import mfa

    client = Client()
    if mfa.requires_otp(user):
        staff_login(client, user)  # staff sessions need a verified second factor
    else:
        client.force_login(user)
    return client


def csrf_client(user: Any) -> Any:
    """A Django test client logged in as `user` that enforces the CSRF check, as a browser meets it."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client
