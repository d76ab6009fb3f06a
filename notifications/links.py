"""Links that act on an account (verify the address, reset the password) are made when their mail
is sent, never stored (docs/notifications.md, "Account links").

The outbox row keeps a placeholder and the link's kind; `notifications.send` asks `link_for` for a
fresh link and puts it in the copy it hands to the mail server. So the outbox, which every staff
member can read in the admin, never holds a live token, and the sent rows are purged after a day
(`outbox_purge_account_mail`).
"""

from __future__ import annotations

from django.conf import settings

from accounts.models import User
from accounts.tokens import EMAIL_VERIFY, PASSWORD_RESET, mail_token_make

# Where the link stands in a stored row, in its text and its HTML parts alike (nothing HTML-escapes).
PLACEHOLDER = "[the link is made when this mail is sent]"

VERIFY_EMAIL, RESET_PASSWORD = "verify_email", "password_reset"


def link_for(kind: str, user: User) -> str:
    """A fresh link of `kind` for `user` (tokens: accounts/tokens.py)."""
    if kind == VERIFY_EMAIL:
        return f"{settings.SITE_URL}/verify-email/?token={mail_token_make(user, EMAIL_VERIFY)}"
    if kind == RESET_PASSWORD:
        return f"{settings.SITE_URL}/password/reset/?token={mail_token_make(user, PASSWORD_RESET)}"
    raise ValueError(f"no account link of kind {kind!r}")
