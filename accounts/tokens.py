from __future__ import annotations

from rest_framework_simplejwt.tokens import RefreshToken


class InkbookRefreshToken(RefreshToken):
    """Refresh token whose access tokens (and itself) carry the user's role and name."""

    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token["role"] = user.role
        return token


def tokens_for_user(user, *, otp_verified: bool = False) -> dict[str, str]:
    """A refresh/access pair; `otp_verified` (a second factor was proven at sign-in) is carried in
    both as the `otp` claim, and through every refresh. Staff tokens are useless without it
    (accounts/mfa.py)."""
    refresh = InkbookRefreshToken.for_user(user)
    if otp_verified:
        refresh["otp"] = True
    return {"access": str(refresh.access_token), "refresh": str(refresh)}
