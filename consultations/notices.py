"""What the parties of custom work are told (docs/notifications.md), in each recipient's language,
through the outbox: called inside the transaction of the change that causes the message, so the
rows and their send jobs commit or roll back with it. Messages never carry photos or the text of a
request; they say what happened and link to the page.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_stubs_ext import StrOrPromise

from bookings import notices as booking_notices
from bookings.models import Booking
from consultations.models import Consultation, DepositAppliesTo, Project, Quote
from notifications.services import Message, notify, one_line
from tattoo.core import l10n


def _lazy(function, *args) -> str:
    """Written when the mail is rendered: in the recipient's language."""
    return lazy(lambda: str(function(*args)), str)()


def consultation_url(consultation: Consultation) -> str:
    return settings.SITE_URL + reverse("consultation-detail", args=[consultation.pk])


def quote_url(quote: Quote) -> str:
    return settings.SITE_URL + reverse("quote-detail", args=[quote.pk])


def project_url(project: Project) -> str:
    return settings.SITE_URL + reverse("project-detail", args=[project.pk])


def _size(consultation: Consultation) -> str:
    return _lazy(
        lambda: _("%(width)s × %(height)s cm") % {"width": consultation.width_cm, "height": consultation.height_cm}
    )


def _context(consultation: Consultation, **extra) -> dict:
    return {
        "consultation": consultation,
        "artist_name": one_line(consultation.tattooist.user.name),
        "customer_name": one_line(consultation.customer.name),
        # words inside a sentence: lower case ("forearm, 10 × 15 cm, black and grey")
        "placement": _lazy(lambda: str(consultation.get_placement_display()).lower()),
        "size": _size(consultation),
        "colour": _lazy(lambda: str(consultation.get_colour_display()).lower()),
        "budget": l10n.money(consultation.budget_max) if consultation.budget_max is not None else "",
        **extra,
    }


def _quote_context(quote: Quote) -> dict:
    zone = quote.consultation.tattooist.timezone
    return {
        "price": _lazy(_price_range, quote),
        "sessions": quote.sessions,
        "session_length": _lazy(_minutes, quote.session_minutes),
        "deposit": l10n.money(quote.deposit_amount),
        "applies_to": _lazy(_applies_to, quote.deposit_applies_to),
        "expires": _lazy(l10n.when, quote.expires_at, zone),
        "expires_short": _lazy(l10n.when_short, quote.expires_at, zone),
    }


def _price_range(quote: Quote) -> str:
    if quote.price_min == quote.price_max:
        return l10n.money(quote.price_min)
    return f"{l10n.money(quote.price_min)} – {l10n.money(quote.price_max)}"


def _minutes(minutes: int) -> str:
    return ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {"minutes": minutes}


def _applies_to(applies_to: str) -> StrOrPromise:
    if applies_to == DepositAppliesTo.LAST:
        return _("it counts toward the last session")
    return _("it counts toward the first session")


def _tell(consultation: Consultation, *, recipient, other, event: str, kind: str, url: str, label, **context) -> None:
    notify(
        event=event,
        recipients=[recipient],
        message=Message(
            kind=kind,
            context=_context(consultation, **context),
            action_url=url,
            action_label=label,
            reply_to=other,
        ),
    )


def _to_artist(consultation: Consultation, *, event: str, kind: str, **context) -> None:
    _tell(
        consultation,
        recipient=consultation.tattooist.user,
        other=consultation.customer,
        event=event,
        kind=kind,
        url=consultation_url(consultation),
        label=_("Open the request"),
        **context,
    )


def _to_customer(consultation: Consultation, *, event: str, kind: str, url: str = "", **context) -> None:
    _tell(
        consultation,
        recipient=consultation.customer,
        other=consultation.tattooist.user,
        event=event,
        kind=kind,
        url=url or consultation_url(consultation),
        label=_("See the quote") if url else _("Open the request"),
        **context,
    )


def consultation_received(consultation: Consultation) -> None:
    _to_artist(consultation, event=f"consultation:{consultation.pk}:received", kind="consultation_received")


def consultation_withdrawn(consultation: Consultation) -> None:
    _to_artist(consultation, event=f"consultation:{consultation.pk}:withdrawn", kind="consultation_withdrawn")


def consultation_declined(consultation: Consultation, *, reason: str) -> None:
    _to_customer(
        consultation, event=f"consultation:{consultation.pk}:declined", kind="consultation_declined", reason=reason
    )


def message_posted(consultation: Consultation, *, author, message_id: int) -> None:
    """The other party: a new message (its text and photos stay on the page)."""
    to_artist = author.pk == consultation.customer_id
    _tell(
        consultation,
        recipient=consultation.tattooist.user if to_artist else consultation.customer,
        other=author,
        event=f"consultation:{consultation.pk}:message:{message_id}",
        kind="consultation_message",
        url=consultation_url(consultation),
        label=_("Open the request"),
        author_name=one_line(author.name),
    )


def quote_sent(quote: Quote) -> None:
    consultation = quote.consultation
    _to_customer(
        consultation,
        event=f"quote:{quote.pk}:sent",
        kind="quote_sent",
        url=quote_url(quote),
        **_quote_context(quote),
    )


def quote_expiring(quote: Quote) -> None:
    consultation = quote.consultation
    _to_customer(
        consultation,
        event=f"quote:{quote.pk}:expiring",
        kind="quote_expiring",
        url=quote_url(quote),
        **_quote_context(quote),
    )


def quote_expired(quote: Quote) -> None:
    consultation = quote.consultation
    context = _quote_context(quote)
    _to_customer(consultation, event=f"quote:{quote.pk}:expired", kind="quote_expired_customer", **context)
    _to_artist(consultation, event=f"quote:{quote.pk}:expired", kind="quote_expired_artist", **context)


def quote_declined(quote: Quote) -> None:
    _to_artist(quote.consultation, event=f"quote:{quote.pk}:declined", kind="quote_declined", **_quote_context(quote))


def quote_accepted(booking: Booking, *, quote: Quote) -> None:
    """The accepted quote's first session, an unpaid hold: the hold's mails (how and by when to pay),
    in the words of an accepted quote (`quote_accepted_customer`, `quote_accepted_artist`)."""
    booking_notices.booking_created(
        booking,
        kind="quote_accepted",
        sessions=quote.sessions,
        applies_to=_lazy(_applies_to, quote.deposit_applies_to),
    )


def session_booked(booking: Booking, *, project: Project, seq: int) -> None:
    """A later session of a project, confirmed as it is booked (no deposit of its own): both parties,
    with the calendar invite."""
    booking_notices.booking_confirmed_tell(
        booking, kind="project_session_booked", seq=seq, sessions=project.sessions_planned
    )


def when_local(moment: datetime, zone: str) -> str:
    return _lazy(l10n.when, moment, zone)
