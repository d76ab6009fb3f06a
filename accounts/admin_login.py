"""The Django admin's login (email, password, one-time code) through the same login service as
the API and the site's login page (docs/security.md):

* the same per-account and per-address lockout counters (accounts/throttling.py), and 429 while
  locked;
* one message for every failure (unknown email, wrong password, right password without a code
  or with a wrong one, an account that is not staff), so the form is no password oracle.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from rest_framework.exceptions import AuthenticationFailed, Throttled

from accounts import services

ADMIN_LOGIN_FAILED = _("Enter the email, password and one-time code of a staff account.")
_THROTTLED = "_inkbook_admin_login_throttled"


class StaffAdminLoginForm(OTPAdminAuthenticationForm):
    error_messages = {**OTPAdminAuthenticationForm.error_messages, "invalid_login": ADMIN_LOGIN_FAILED}

    def clean(self):
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not email or not password:
            raise forms.ValidationError(ADMIN_LOGIN_FAILED, code="invalid_login")
        try:
            result = services.user_login(
                request=self.request, email=email, password=password, otp=self.cleaned_data.get("otp_token") or None
            )
        except Throttled as exc:
            setattr(self.request, _THROTTLED, True)
            raise forms.ValidationError(str(exc.detail), code="throttled") from None
        except AuthenticationFailed:
            raise forms.ValidationError(ADMIN_LOGIN_FAILED, code="invalid_login") from None
        if not result.user.is_staff or result.otp_device is None:
            raise forms.ValidationError(ADMIN_LOGIN_FAILED, code="invalid_login")
        # django-otp marks the session verified on login when the user carries the device.
        result.user.otp_device = result.otp_device
        self.user_cache = result.user
        return self.cleaned_data


class StaffAdminSite(OTPAdminSite):
    """django-otp's admin site (staff need a verified second factor); a locked-out login is 429."""

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        if getattr(request, _THROTTLED, False):
            response.status_code = 429
        return response
