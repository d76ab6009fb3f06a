"""What a booking's parties are told, and when (docs/notifications.md).

Called inside the transaction of the booking change that causes the message, so the outbox rows
and their send jobs commit or roll back with it. The event key of each message carries the
booking's SEQUENCE (its number of audit rows), so each change notifies once, however often the
code path that made it runs again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy

from bookings.models import Booking, BookingEvent, BookingStatus, PaymentStatus
from notifications import ics
from notifications.services import Message, notify
from tattoo.core import jobs
from tattoo.core.money import format_mnt

REMIND_TASK = "bookings.send_reminder"


def sequence(booking: Booking) -> int:
    """The booking's iCalendar SEQUENCE: its audit rows so far (one per change, never fewer)."""
    return BookingEvent.objects.filter(booking_id=booking.pk).count()


def _uid(booking: Booking) -> str:
    # The same UID as the artist's calendar feed (tattoo/site/views.py), whatever host a link uses.
    return f"booking-{booking.pk}@{urlsplit(settings.SITE_URL).hostname or 'inkbook'}"


def _url(booking: Booking) -> str:
    return settings.SITE_URL + reverse("booking-detail", args=[booking.pk])


def _local(booking: Booking, moment: datetime) -> str:
    """The moment on the artist's wall clock, written when the mail is rendered: in the
    recipient's language and date format (docs/i18n.md)."""
    tz = booking.tattooist.timezone
    local = moment.astimezone(ZoneInfo(tz))
    return lazy(lambda: f"{date_format(local, 'DATETIME_FORMAT')} ({tz})", str)()


def _context(booking: Booking, **extra) -> dict:
    return {
        "booking": booking,
        "artist_name": booking.tattooist.user.name,
        "customer_name": booking.customer.name,
        "when": _local(booking, booking.slot),
        "deposit": format_mnt(booking.deposit_amount),
        **extra,
    }


def _invite(booking: Booking, *, method: str, seq: int):
    artist = booking.tattooist.user
    return ics.invite(
        uid=_uid(booking),
        sequence=seq,
        method=method,
        start=booking.slot,
        end=booking.ends_at,
        tzid=booking.tattooist.timezone,
        summary=f"Tattoo session: {artist.name} and {booking.customer.name}",
        description=f"Deposit {booking.deposit_amount:,.0f} MNT. {booking.notes}".strip(),
        url=_url(booking),
        organizer=(artist.name, artist.email),
        attendees=[(booking.customer.name, booking.customer.email)],
    )


def _both(booking: Booking, *, event: str, kind: str, context: dict, attachments=()) -> None:
    """The customer's and the artist's version of one message; each may answer the other."""
    customer, artist = booking.customer, booking.tattooist.user
    for recipient, other, role in ((customer, artist, "customer"), (artist, customer, "artist")):
        notify(
            event=event,
            recipients=[recipient],
            message=Message(
                kind=f"{kind}_{role}",
                context=context,
                action_url=_url(booking),
                action_label="Open the booking",
                reply_to=other,
                attachments=attachments,
            ),
        )


def booking_created(booking: Booking) -> None:
    """Customer: the hold, how to pay, when it ends. Artist: a new booking to look at."""
    context = _context(booking, hold_until=_local(booking, booking.hold_expires_at or booking.slot))
    _both(booking, event=f"booking:{booking.pk}:created", kind="booking_created", context=context)


def booking_moved(booking: Booking, *, from_status: str, from_pay: str) -> None:
    """After a status or payment move (bookings.transitions.booking_move), in its transaction."""
    seq = sequence(booking)
    became_paid = booking.payment_status == PaymentStatus.PAID and from_pay != PaymentStatus.PAID
    if booking.status == BookingStatus.CONFIRMED and (from_status != BookingStatus.CONFIRMED or became_paid):
        _both(
            booking,
            event=f"booking:{booking.pk}:confirmed:{seq}",
            kind="booking_confirmed",
            context=_context(booking, paid=booking.payment_status == PaymentStatus.PAID),
            attachments=[_invite(booking, method="REQUEST", seq=seq)],
        )
        reminder_plan(booking)
    elif booking.status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED) and booking.status != from_status:
        # A calendar only holds what was confirmed: cancel the invite that went out.
        invited = from_status in (BookingStatus.CONFIRMED, BookingStatus.DISPUTED)
        _both(
            booking,
            event=f"booking:{booking.pk}:{booking.status}:{seq}",
            kind=f"booking_{booking.status}",
            context=_context(booking, deposit_fate=_deposit_fate(booking)),
            attachments=[_invite(booking, method="CANCEL", seq=seq)] if invited else (),
        )


def _deposit_fate(booking: Booking) -> str:
    if booking.payment_status == PaymentStatus.UNPAID:
        return "No deposit was paid, so nothing is charged."
    if booking.payment_status == PaymentStatus.PENDING:
        return "The open payment invoice is cancelled; a payment that still arrives is refunded."
    if booking.payment_status == PaymentStatus.REFUNDED:
        return "The deposit has been refunded."
    return (
        f"The deposit of {booking.deposit_amount:,.0f} MNT is refunded or kept under the studio's deposit "
        "policy; you get a mail when a refund is made."
    )


def booking_rescheduled(booking: Booking, *, before: datetime) -> None:
    seq = sequence(booking)
    invite = booking.status == BookingStatus.CONFIRMED
    _both(
        booking,
        event=f"booking:{booking.pk}:rescheduled:{seq}",
        kind="booking_rescheduled",
        context=_context(booking, before=_local(booking, before)),
        attachments=[_invite(booking, method="REQUEST", seq=seq)] if invite else (),
    )
    reminder_plan(booking)


# --- reminders -------------------------------------------------------------------------------------


def reminder_plan(booking: Booking, *, now: datetime | None = None) -> None:
    """A confirmed session gets one reminder job REMINDER_HOURS before its start (none when that
    moment has passed). Each (booking, start) has its own job; one for an old start does nothing,
    so a reschedule simply plans a new one."""
    if not settings.REMINDER_HOURS or booking.status != BookingStatus.CONFIRMED:
        return
    at = booking.slot - timedelta(hours=settings.REMINDER_HOURS)
    if at <= (now or timezone.now()):
        return
    jobs.enqueue(
        REMIND_TASK,
        at=at,
        queueing_lock=f"remind-{booking.pk}-{booking.slot.isoformat()}",
        booking_id=booking.pk,
        slot=booking.slot.isoformat(),
    )


def booking_remind(*, booking_id: int, slot: str) -> int:
    """The reminder job's body: tell both parties (those who did not turn reminders off) about the
    session, unless it moved or ended since the job was planned. Returns the mails queued."""
    booking = (
        Booking.objects.select_related("customer", "tattooist__user")
        .filter(pk=booking_id, status=BookingStatus.CONFIRMED)
        .first()
    )
    if booking is None or booking.slot != datetime.fromisoformat(slot):
        return 0
    unsubscribe = settings.SITE_URL + reverse("account-settings")
    written = 0
    customer, artist = booking.customer, booking.tattooist.user
    for recipient, other, role in ((customer, artist, "customer"), (artist, customer, "artist")):
        if not recipient.reminders_enabled:
            continue
        written += len(
            notify(
                event=f"booking:{booking.pk}:reminder:{slot}",
                recipients=[recipient],
                message=Message(
                    kind=f"booking_reminder_{role}",
                    context={**_context(booking), "settings_url": unsubscribe},
                    action_url=_url(booking),
                    action_label="Open the booking",
                    reply_to=other,
                    headers={"List-Unsubscribe": f"<{unsubscribe}>"},
                ),
            )
        )
    return written


# --- disputes and refunds (called by the disputes app in its transactions) --------------------------


def parties_tell(booking: Booking, *, event: str, kind: str, **context) -> None:
    """One message of `kind` to both parties of `booking`; each may answer the other."""
    customer, artist = booking.customer, booking.tattooist.user
    for recipient, other in ((customer, artist), (artist, customer)):
        notify(
            event=event,
            recipients=[recipient],
            message=Message(
                kind=kind,
                context=_context(booking, **context),
                action_url=_url(booking),
                action_label="Open the booking",
                reply_to=other,
            ),
        )


def refund_done(booking: Booking, *, amount, event: str) -> None:
    """The customer: a refund of `amount` MNT was made."""
    notify(
        event=event,
        recipients=[booking.customer],
        message=Message(
            kind="refund_done",
            context=_context(booking, amount=format_mnt(amount)),
            action_url=_url(booking),
            action_label="Open the booking",
        ),
    )
