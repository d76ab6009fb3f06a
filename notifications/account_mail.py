"""Mails about the account itself: address verification, password reset, artist approval.

The accounts app sits below this one, so it names these jobs (notifications.verify_email,
notifications.password_reset, notifications.artist_approval) instead of importing them.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Tattooist, User, normalize_email
from notifications import links
from notifications.services import Message, notify


def verify_email_send(*, user_id: int, nonce: str) -> int:
    """The verification link for a user whose address is not verified yet (none once it is)."""
    user = User.objects.filter(pk=user_id, is_active=True, email_verified_at__isnull=True).first()
    if user is None:
        return 0
    # The link (its token) is made when the mail is sent, never stored in the outbox (notifications/links.py).
    message = Message(kind="verify_email", account_link=links.VERIFY_EMAIL, action_label=_("Confirm my address"))
    return len(notify(event=f"user:{user.pk}:verify:{nonce}", recipients=[user], message=message))


def password_reset_send(*, email: str, requested_at: str) -> int:
    """The reset link, if the address belongs to an active account (nothing otherwise)."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None:
        return 0
    message = Message(
        kind="password_reset",
        context={"minutes": settings.PASSWORD_RESET_TIMEOUT // 60},
        account_link=links.RESET_PASSWORD,
        action_label=_("Choose a new password"),
    )
    return len(notify(event=f"user:{user.pk}:reset:{requested_at}", recipients=[user], message=message))


def artist_approval_send(*, tattooist_id: int, approved: bool, note: str, event: str) -> int:
    """The approval decision, to the artist (the job written by the approval service)."""
    artist = Tattooist.objects.select_related("user").filter(pk=tattooist_id).first()
    if artist is None:
        return 0
    rows = notify(
        event=event,
        recipients=[artist.user],
        message=Message(
            kind="artist_approved" if approved else "artist_not_approved",
            context={"note": note},
            action_url=f"{settings.SITE_URL}/dashboard/",
            action_label=_("Open your dashboard"),
        ),
    )
    return len(rows)
