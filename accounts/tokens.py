from __future__ import annotations

from rest_framework_simplejwt.tokens import RefreshToken


class InkbookRefreshToken(RefreshToken):
    """Refresh token whose access tokens (and itself) carry the user's role and name."""

    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token["role"] = user.role
        return token


def tokens_for_user(user) -> dict[str, str]:
    refresh = InkbookRefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}
