from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from django.core import signing
from rest_framework_simplejwt.tokens import RefreshToken

if TYPE_CHECKING:
    from accounts.models import User


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


# --- tokens of mailed links (e-mail verification, password reset) ---------------------------------
# One opaque, signed value: the user id, a digest of the account state the link may change, and a
# timestamp. Once the state changes (the address is verified, the password is set) the digest no
# longer matches, so each link works once; the timestamp bounds its life.

EMAIL_VERIFY, PASSWORD_RESET = "email-verify", "password-reset"


def _state(user, purpose: str) -> str:
    raw = f"{user.email}|{user.email_verified_at}" if purpose == EMAIL_VERIFY else f"{user.password}|{user.email}"
    return hashlib.sha256(f"{purpose}|{user.pk}|{raw}".encode()).hexdigest()[:24]


def mail_token_make(user, purpose: str) -> str:
    return signing.TimestampSigner(salt=f"inkbook.{purpose}").sign_object(
        {"u": user.pk, "s": _state(user, purpose)}, compress=True
    )


def mail_token_user(token: str, purpose: str, *, max_age_seconds: int, lock: bool = False) -> User | None:
    """The active user `token` was made for, if it is genuine, unexpired and its account state is
    unchanged (unused); else None. `lock` takes the user's row lock (inside a transaction)."""
    from accounts.models import User

    try:
        data = signing.TimestampSigner(salt=f"inkbook.{purpose}").unsign_object(token, max_age=max_age_seconds)
        user_id, state = int(data["u"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    users = User.objects.select_for_update() if lock else User.objects
    user = users.filter(pk=user_id, is_active=True).first()
    if user is None or not hmac.compare_digest(_state(user, purpose), state):
        return None
    return user


# --- the one-click unsubscribe links of reminder and aftercare mails (RFC 8058) ------------------------------------
# Signed and bound to its purpose (its own salt: no other token of the product passes for it), it
# names the user and nothing else. No expiry: a reminder in someone's inbox must still unsubscribe
# months later, and all it can do is turn reminders off.

# Aftercare mails (reviews/aftercare.py) carry one of their own, with its own salt: a reminder's
# link cannot turn aftercare off, nor the other way round.

REMINDERS_UNSUBSCRIBE_SALT = "inkbook.reminders-unsubscribe"
AFTERCARE_UNSUBSCRIBE_SALT = "inkbook.aftercare-unsubscribe"
REMINDERS, AFTERCARE = "reminders", "aftercare"
_UNSUBSCRIBE_SALTS = {REMINDERS: REMINDERS_UNSUBSCRIBE_SALT, AFTERCARE: AFTERCARE_UNSUBSCRIBE_SALT}


def unsubscribe_token_make(user, topic: str = REMINDERS) -> str:
    return signing.Signer(salt=_UNSUBSCRIBE_SALTS[topic]).sign_object({"u": user.pk})


def unsubscribe_token_user(token: str, topic: str = REMINDERS) -> User | None:
    """The active user an unsubscribe token of `topic` was made for, or None for a wrong or tampered one."""
    from accounts.models import User

    try:
        user_id = int(signing.Signer(salt=_UNSUBSCRIBE_SALTS[topic]).unsign_object(token)["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()
