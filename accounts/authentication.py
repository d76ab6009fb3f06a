from __future__ import annotations

from functools import cache

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts import language, mfa
from accounts.models import User

OTP_REQUIRED = _("Staff sign-in needs a one-time code; sign in again with `otp`.")
# simplejwt's own refusals, by its code, in words for the person holding the token (its messages are
# for developers: "Given token not valid for any token type"). The other codes are get_user's below.
BEARER_REFUSALS = {
    "bad_authorization_header": _("Send the token as the Authorization header: Bearer, a space, then the token."),
    "token_not_valid": _("Your sign-in has expired or is not valid. Refresh the token or sign in again."),
}


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's bearer authentication, also telling the request log who the caller is; a staff
    token issued without a second factor (no `otp` claim) is refused (accounts/mfa.py). The API
    answers a bearer caller in the Accept-Language language, else in the saved one (accounts/
    language.py): DRF authenticates inside the view, after every middleware has run."""

    def authenticate(self, request):
        try:
            result = super().authenticate(request)
        except AuthenticationFailed as exc:  # simplejwt's (InvalidToken too), whose detail is a dict
            raise exceptions.AuthenticationFailed(
                {"code": "authentication_failed", "message": bearer_refusal_message(exc)}
            ) from None
        if result is not None:
            user, token = result
            if mfa.requires_otp(user) and not token.get(mfa.JWT_CLAIM):
                raise exceptions.AuthenticationFailed({"code": "otp_required", "message": OTP_REQUIRED})
            request._request.api_user_id = user.pk
            language.use(request._request, language.api_language(request._request, user))
        return result

    def get_user(self, validated_token):
        """simplejwt's lookup and refusals (unknown user, inactive, password changed since the token
        was issued), with the user read by a statement compiled once: every bearer request makes
        this lookup, and building the ORM's query took as long as running it (bench/README.md,
        "Booking create")."""
        try:  # simplejwt writes the id as a string
            user_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError):
            user_id = None
        if user_id is None or not 0 < user_id < 2**63:
            raise InvalidToken(_("Token contained no recognizable user identification"))
        user = _user_by_id(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user


def bearer_refusal_message(exc: AuthenticationFailed) -> str:
    """One sentence for a refused bearer token: ours for simplejwt's codes, else the refusal's own
    (get_user's, already in the request's language)."""
    detail = exc.detail if isinstance(exc.detail, dict) else {"detail": exc.detail}
    return str(BEARER_REFUSALS.get(str(detail.get("code", "")), detail.get("detail", "")))


@cache
def _user_select() -> tuple[str, tuple[str, ...]]:
    """The ORM's own SELECT of one user by id, and the attribute names of its columns."""
    sql, params = User.objects.filter(pk=0).query.sql_with_params()
    if tuple(params) != (0,):  # a manager that filters would add parameters of its own
        raise AssertionError(f"the user lookup has parameters {params!r}, not just the id")
    return sql, tuple(field.attname for field in User._meta.concrete_fields)


def _user_by_id(user_id) -> User | None:
    sql, names = _user_select()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    return None if row is None else User.from_db(connection.alias, names, row)
