"""What a booking's parties are told, and when (docs/notifications.md).

Called inside the transaction of the booking change that causes the message, so the outbox rows
and their send jobs commit or roll back with it. The event key of each message carries the
booking's SEQUENCE (its number of audit rows), so each change notifies once, however often the
code path that made it runs again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.tokens import unsubscribe_token_make
from bookings.models import Booking, BookingEvent, BookingStatus, ConsentRecord, PaymentStatus
from notifications import ics
from notifications.services import Message, in_language_of, notify, notify_each, one_line
from tattoo.core import jobs, l10n

REMIND_TASK = "bookings.send_reminder"
CONSENT_REQUEST_TASK = "bookings.send_consent_request"
# The reviews app's aftercare mail (reviews/aftercare.py): named, a lower layer never imports it.
AFTERCARE_TASK = "reviews.send_aftercare"
AFTERCARE_CHECK_IN_DAYS = 3


def sequence(booking: Booking) -> int:
    """The booking's iCalendar SEQUENCE: its audit rows so far (one per change, never fewer)."""
    return BookingEvent.objects.filter(booking_id=booking.pk).count()


def _uid(booking: Booking) -> str:
    # The same UID as the artist's calendar feed (tattoo/site/views/calendar.py), whatever host a link uses.
    return f"booking-{booking.pk}@{urlsplit(settings.SITE_URL).hostname or 'inkbook'}"


def _url(booking: Booking) -> str:
    return settings.SITE_URL + reverse("booking-detail", args=[booking.pk])


# Lazy (rendered in the recipient's language when the mail is); made once, not per call.
_when = lazy(l10n.when, str)
_when_short = lazy(l10n.when_short, str)


def _local(booking: Booking, moment: datetime) -> str:
    """The moment on the artist's clock, the zone named as a person says it ("2026 оны 12-р сарын 1,
    мягмар гараг 14:30 (Улаанбаатарын цагаар)"), written when the mail is rendered: in the
    recipient's language (tattoo/core/l10n.py, docs/i18n.md)."""
    return _when(moment, booking.tattooist.timezone)


def _local_short(booking: Booking, moment: datetime) -> str:
    """The same moment in few words, for subjects: "12-р сарын 1, 14:30" / "1 Dec, 14:30"."""
    return _when_short(moment, booking.tattooist.timezone)


def _context(booking: Booking, **extra) -> dict:
    # Names go into subjects (each template's first line): one line each, whatever was stored.
    return {
        "booking": booking,
        "artist_name": one_line(booking.tattooist.user.name),
        "customer_name": one_line(booking.customer.name),
        "when": _local(booking, booking.slot),
        "when_short": _local_short(booking, booking.slot),
        "deposit": l10n.money(booking.deposit_amount),
        **extra,
    }


def _invite(booking: Booking, *, method: str, seq: int):
    """The calendar invite, in the active language (_both writes one per recipient)."""
    artist = booking.tattooist.user
    deposit = _("Deposit %(amount)s.") % {"amount": l10n.money(booking.deposit_amount)}
    return ics.invite(
        uid=_uid(booking),
        sequence=seq,
        method=method,
        start=booking.slot,
        end=booking.ends_at,
        tzid=booking.tattooist.timezone,
        summary=_("Tattoo session: %(artist)s and %(customer)s")
        % {"artist": artist.name, "customer": booking.customer.name},
        description=f"{deposit} {booking.notes}".strip(),
        url=_url(booking),
        organizer=(artist.name, artist.email),
        attendees=[(booking.customer.name, booking.customer.email)],
    )


def _both(booking: Booking, *, event: str, kind: str, context: dict, invite: tuple[str, int] | None = None) -> None:
    """The customer's and the artist's version of one message; each may answer the other. `invite`
    (method, sequence) attaches the calendar invite, written in each recipient's language."""
    customer, artist = booking.customer, booking.tattooist.user
    messages = []
    for recipient, other, role in ((customer, artist, "customer"), (artist, customer, "artist")):
        attachments = []
        if invite is not None:
            with in_language_of(recipient):
                attachments.append(_invite(booking, method=invite[0], seq=invite[1]))
        message = Message(
            kind=f"{kind}_{role}",
            context=context,
            action_url=_url(booking),
            action_label=_("Open the booking"),
            reply_to=other,
            attachments=attachments,
        )
        messages.append((recipient, message))
    notify_each(event=event, messages=messages)


def booking_created(booking: Booking, *, kind: str = "booking_created", **extra) -> None:
    """Customer: the hold, how to pay, when it ends. Artist: a new booking to look at. `kind` names
    the templates (`{kind}_customer`, `{kind}_artist`): an accepted quote's hold says so."""
    hold_until = booking.hold_expires_at or booking.slot
    context = _context(
        booking, hold_until=_local(booking, hold_until), hold_until_short=_local_short(booking, hold_until), **extra
    )
    _both(booking, event=f"booking:{booking.pk}:created", kind=kind, context=context)


def booking_confirmed_tell(booking: Booking, *, kind: str, **extra) -> None:
    """Both parties of a booking that is confirmed as it is made (a project's later session), each
    in their own words (`{kind}_customer`, `{kind}_artist`), with the calendar invite; and its
    reminder planned, as for any confirmed session."""
    seq = sequence(booking)
    _both(
        booking,
        event=f"booking:{booking.pk}:created",
        kind=kind,
        context=_context(booking, **extra),
        invite=("REQUEST", seq),
    )
    reminder_plan(booking)


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
            invite=("REQUEST", seq),
        )
        reminder_plan(booking)
        consent_request_plan(booking)
    elif booking.status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED) and booking.status != from_status:
        # A calendar only holds what was confirmed: cancel the invite that went out.
        invited = from_status in (BookingStatus.CONFIRMED, BookingStatus.DISPUTED)
        _both(
            booking,
            event=f"booking:{booking.pk}:{booking.status}:{seq}",
            kind=f"booking_{booking.status}",
            context=_context(booking, deposit_fate=_deposit_fate(booking)),
            invite=("CANCEL", seq) if invited else None,
        )
    elif booking.status in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW) and from_status == BookingStatus.CONFIRMED:
        # The artist (or staff) said how the session went, and the deposit is kept: the customer
        # hears of it at once, so a wrong mark can be disputed (docs/notifications.md).
        customer_tell(
            booking,
            event=f"booking:{booking.pk}:{booking.status}:{seq}",
            kind=f"booking_{booking.status}_customer",
            deposit_fate=_kept_fate(booking),
        )
        if booking.status == BookingStatus.COMPLETED:
            aftercare_plan(booking)


def _interpolate(text, **values):
    """`text % values`, read only when the mail is rendered: in the recipient's language (notify
    renders each recipient's copy under their language, notifications/services.py)."""
    return lazy(lambda: str(text) % values, str)()


def _deposit_fate(booking: Booking) -> StrOrPromise:
    if booking.payment_status == PaymentStatus.UNPAID:
        return _("No deposit was paid, so nothing is charged.")
    if booking.payment_status == PaymentStatus.PENDING:
        return _("The open payment invoice is cancelled; a payment that still arrives is refunded.")
    if booking.payment_status == PaymentStatus.REFUNDED:
        return _("The deposit has been refunded.")
    return _interpolate(
        _(
            "The deposit of %(amount)s is refunded or kept under the artist's deposit policy; you get a mail "
            "when a refund is made."
        ),
        amount=l10n.money(booking.deposit_amount),
    )


def _kept_fate(booking: Booking) -> StrOrPromise:
    """What happens to the deposit of a session marked completed or a no-show (docs/deposits.md)."""
    if booking.payment_status in (PaymentStatus.UNPAID, PaymentStatus.PENDING):
        return _("No deposit was paid, so nothing is charged.")
    if booking.status == BookingStatus.COMPLETED:
        text = _("The deposit of %(amount)s is kept by the artist: it counts toward the price.")
    else:
        text = _("The deposit of %(amount)s is kept by the artist under their deposit policy.")
    return _interpolate(text, amount=l10n.money(booking.deposit_amount))


def customer_tell(booking: Booking, *, event: str, kind: str, **context) -> None:
    """One message of `kind` to the booking's customer alone, in their language."""
    notify(
        event=event,
        recipients=[booking.customer],
        message=Message(
            kind=kind,
            context=_context(booking, **context),
            action_url=_url(booking),
            action_label=_("Open the booking"),
        ),
    )


def booking_rescheduled(booking: Booking, *, before: datetime) -> None:
    seq = sequence(booking)
    invite = booking.status == BookingStatus.CONFIRMED
    _both(
        booking,
        event=f"booking:{booking.pk}:rescheduled:{seq}",
        kind="booking_rescheduled",
        context=_context(booking, before=_local(booking, before)),
        invite=("REQUEST", seq) if invite else None,
    )
    reminder_plan(booking)
    consent_request_plan(booking)


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
    settings_url = settings.SITE_URL + reverse("account-settings")
    written = 0
    customer, artist = booking.customer, booking.tattooist.user
    for recipient, other, role in ((customer, artist, "customer"), (artist, customer, "artist")):
        if not recipient.reminders_enabled:
            continue
        token = urlencode({"token": unsubscribe_token_make(recipient)})
        unsubscribe = f"{settings.SITE_URL}{reverse('unsubscribe')}?{token}"
        written += len(
            notify(
                event=f"booking:{booking.pk}:reminder:{slot}",
                recipients=[recipient],
                message=Message(
                    kind=f"booking_reminder_{role}",
                    context={**_context(booking), "settings_url": settings_url},
                    action_url=_url(booking),
                    action_label=_("Open the booking"),
                    reply_to=other,
                    # RFC 8058 one-click: the provider POSTs `List-Unsubscribe=One-Click` to the URL
                    # (accounts.views.unsubscribe). Only reminders carry it: the rest cannot be
                    # turned off.
                    headers={
                        "List-Unsubscribe": f"<{unsubscribe}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    },
                ),
            )
        )
    return written


# --- the consent form's link ------------------------------------------------------------------------


def consent_url(booking: Booking) -> str:
    return settings.SITE_URL + reverse("booking-consent", args=[booking.pk])


def consent_request_plan(booking: Booking, *, now: datetime | None = None) -> None:
    """A confirmed session's customer is mailed the consent form's link CONSENT_REQUEST_HOURS before
    it starts (at once when that moment has passed). One job per (booking, start), like the reminder:
    a reschedule plans a new one and the old one does nothing."""
    if booking.status != BookingStatus.CONFIRMED:
        return
    at = max(booking.slot - timedelta(hours=settings.CONSENT_REQUEST_HOURS), now or timezone.now())
    jobs.enqueue(
        CONSENT_REQUEST_TASK,
        at=at,
        queueing_lock=f"consent-{booking.pk}-{booking.slot.isoformat()}",
        booking_id=booking.pk,
        slot=booking.slot.isoformat(),
    )


def consent_request_send(*, booking_id: int, slot: str) -> int:
    """The consent-link job's body: mail the customer the form's link, unless the booking moved,
    ended or its form is signed already. The mail holds the link, never an answer."""
    booking = (
        Booking.objects.select_related("customer", "tattooist__user")
        .filter(pk=booking_id, status=BookingStatus.CONFIRMED)
        .first()
    )
    if booking is None or booking.slot != datetime.fromisoformat(slot):
        return 0
    if ConsentRecord.objects.filter(booking_id=booking.pk).exists():
        return 0
    url = consent_url(booking)
    return len(
        notify(
            event=f"booking:{booking.pk}:consent_request:{slot}",
            recipients=[booking.customer],
            message=Message(
                kind="consent_request",
                context=_context(booking, consent_url=url),
                action_url=url,
                action_label=_("Fill in the consent form"),
                reply_to=booking.tattooist.user,
            ),
        )
    )


# --- aftercare ----------------------------------------------------------------------------------------


def aftercare_days() -> tuple[int, ...]:
    """The days after the session's start the customer gets aftercare mail: 0 (at completion), 3 (a
    check-in) and HEALED_PHOTO_DAYS (the healed-photo and review request)."""
    return (0, AFTERCARE_CHECK_IN_DAYS, settings.HEALED_PHOTO_DAYS)


def aftercare_plan(booking: Booking, *, now: datetime | None = None) -> None:
    """A session marked completed (from confirmed: a dispute's resolution plans none): one aftercare
    job per day, in the move's transaction, due at the session's start + that many days (day 0 at
    once). Each job looks again before it writes (reviews/aftercare.py)."""
    now = now or timezone.now()
    for day in aftercare_days():
        jobs.enqueue(
            AFTERCARE_TASK,
            at=max(booking.slot + timedelta(days=day), now),
            queueing_lock=f"aftercare-{booking.pk}-{day}",
            booking_id=booking.pk,
            day=day,
        )


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
                action_label=_("Open the booking"),
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
            context=_context(booking, amount=l10n.money(amount)),
            action_url=_url(booking),
            action_label=_("Open the booking"),
        ),
    )
