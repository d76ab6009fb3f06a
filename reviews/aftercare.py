"""Aftercare mails after a completed session (docs/notifications.md): day 0 the artist's aftercare
text (or the default, in the customer's language), day 3 a check-in, day HEALED_PHOTO_DAYS (21) the
healed-photo and review request.

Completing a session (confirmed → completed, bookings/transitions.py) enqueues
`reviews.start_aftercare` in the move's transaction; that job writes the day-0 mail and plans the
later ones, each a `reviews.send_aftercare` job due at the session's start + its days. Every send
looks again: nothing for a booking that is no longer completed, that had a dispute opened (even
one resolved since), or whose customer turned aftercare mails off; the outbox's event key
(booking, day) makes a second run send nothing. Each mail carries its one-click unsubscribe.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tokens import AFTERCARE, unsubscribe_token_make
from bookings import notices
from bookings.models import Booking, BookingStatus
from disputes.models import Dispute
from notifications.services import Message, notify
from reviews.models import Review
from tattoo.core import jobs

SEND_TASK = "reviews.send_aftercare"
CHECK_IN_DAYS = 3


def days() -> tuple[int, ...]:
    """The aftercare days, counted from the session's start: 0 (at completion), 3, HEALED_PHOTO_DAYS."""
    return (0, CHECK_IN_DAYS, settings.HEALED_PHOTO_DAYS)


def _kind(day: int) -> str:
    if day == 0:
        return "aftercare_day0"
    if day == CHECK_IN_DAYS:
        return "aftercare_check_in"
    return "aftercare_healed"


def aftercare_start(*, booking_id: int) -> int:
    """The completion's job: plan the later mails and write the day-0 one. Returns the mails queued."""
    booking = Booking.objects.filter(pk=booking_id, status=BookingStatus.COMPLETED).first()
    if booking is None:
        return 0
    now = timezone.now()
    for day in days()[1:]:
        jobs.enqueue(
            SEND_TASK,
            at=max(booking.slot + timedelta(days=day), now),
            queueing_lock=f"aftercare-{booking.pk}-{day}",
            booking_id=booking.pk,
            day=day,
        )
    return aftercare_send(booking_id=booking.pk, day=0)


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
    if booking is None or day not in days() or not _wanted(booking):
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
