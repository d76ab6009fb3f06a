"""Aftercare mails after a completed session (docs/notifications.md): day 0 the artist's aftercare
text (or the default, in the customer's language), day 3 a check-in, day HEALED_PHOTO_DAYS (21) the
healed-photo and review request.

Completing a session (confirmed → completed) plans one `reviews.send_aftercare` job per day in the
move's transaction (bookings/notices.py `aftercare_plan`, with the other booking schedules), due at
the session's start + its days (day 0 at once). Every send looks again: nothing for a booking that
is no longer completed, that had a dispute opened (even one resolved since), or whose customer
turned aftercare mails off; the outbox's event key (booking, day) makes a second run send nothing.
Each mail carries its one-click unsubscribe.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.tokens import AFTERCARE, unsubscribe_token_make
from bookings import notices
from bookings.models import Booking, BookingStatus
from disputes.models import Dispute
from notifications.services import Message, notify
from reviews.models import Review

SEND_TASK = notices.AFTERCARE_TASK


def _kind(day: int) -> str:
    if day == 0:
        return "aftercare_day0"
    if day == notices.AFTERCARE_CHECK_IN_DAYS:
        return "aftercare_check_in"
    return "aftercare_healed"


def _wanted(booking: Booking) -> bool:
    """Still a completed session without a dispute, and a customer who wants these mails."""
    if not booking.customer.aftercare_enabled:
        return False
    return not Dispute.objects.filter(booking_id=booking.pk).exists()


def aftercare_send(*, booking_id: int, day: int) -> int:
    """One aftercare mail (`day` 0, 3 or HEALED_PHOTO_DAYS) to the customer, in their language, if
    still wanted. Returns the mails queued (0 or 1)."""
    booking = (
        Booking.objects.select_related("customer", "tattooist__user")
        .filter(pk=booking_id, status=BookingStatus.COMPLETED)
        .first()
    )
    if booking is None or day not in notices.aftercare_days() or not _wanted(booking):
        return 0
    customer = booking.customer
    booking_url = settings.SITE_URL + reverse("booking-detail", args=[booking.pk])
    review_url = booking_url + "#review"
    token = urlencode({"token": unsubscribe_token_make(customer, AFTERCARE)})
    unsubscribe = f"{settings.SITE_URL}{reverse('unsubscribe-aftercare')}?{token}"
    context = notices._context(
        booking,
        aftercare_text=booking.tattooist.aftercare_text.strip(),
        review_url=review_url,
        reviewed=Review.objects.filter(booking_id=booking.pk).exists(),
        healed_days=settings.HEALED_PHOTO_DAYS,
        settings_url=settings.SITE_URL + reverse("account-settings"),
    )
    healed = day == settings.HEALED_PHOTO_DAYS and day != 0
    return len(
        notify(
            event=f"booking:{booking.pk}:aftercare:{day}",
            recipients=[customer],
            message=Message(
                kind=_kind(day),
                context=context,
                action_url=review_url if healed else booking_url,
                action_label=_("Add a healed photo") if healed else _("Open the booking"),
                reply_to=booking.tattooist.user,
                # RFC 8058 one-click, as reminders: these mails can be turned off (accounts.views.unsubscribe).
                headers={
                    "List-Unsubscribe": f"<{unsubscribe}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            ),
        )
    )
