from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import authentication

from accounts import language, mfa

OTP_REQUIRED = _("Staff sign-in needs a one-time code; sign in again with `otp`.")


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's bearer authentication, also telling the request log who the caller is; a staff
    token issued without a second factor (no `otp` claim) is refused (accounts/mfa.py). The API
    answers a bearer caller in the Accept-Language language, else in the saved one (accounts/
    language.py): DRF authenticates inside the view, after every middleware has run."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            user, token = result
            if mfa.requires_otp(user) and not token.get(mfa.JWT_CLAIM):
                raise AuthenticationFailed({"code": "otp_required", "message": OTP_REQUIRED})
            request._request.api_user_id = user.pk
            language.use(request._request, language.api_language(request._request, user))
        return result
