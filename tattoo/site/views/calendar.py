"""The artist's ICS calendar feed: a secret URL per artist (rotated from the dashboard), no login."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bookings import selectors
from bookings.models import BookingStatus, status_word
from notifications import ics
from tattoo.core import l10n


@require_GET
def calendar_feed(request, token: str):
    """The artist's bookings as an iCalendar feed at a secret URL (no login: calendar apps poll it)."""
    artist = selectors.tattooist_for_calendar(token=token)
    if artist is None:
        raise Http404
    # The UID must not change with the host a calendar app happens to use.
    host = urlsplit(settings.SITE_URL).hostname or "inkbook"
    # Built with the icalendar package, which escapes every TEXT value (a customer's CR, LF, comma,
    # semicolon or backslash stays text inside its own event: docs/security.md) and folds lines at
    # 75 octets without cutting a UTF-8 character.
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Inkbook//Bookings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # Calendar apps send no language: the feed speaks the artist's saved one (docs/i18n.md).
    with translation.override(artist.user.language):
        cal.add("x-wr-calname", _("Inkbook: %(artist)s") % {"artist": artist.user.name})
    cal.add("x-wr-timezone", artist.timezone)
    stamp = timezone.now().astimezone(UTC).replace(microsecond=0)
    zone = ZoneInfo(artist.timezone)
    for b in selectors.calendar_bookings(tattooist=artist):
        with translation.override(artist.user.language):
            if b.status == BookingStatus.PENDING:
                summary = _("Tattoo session: %(customer)s (unconfirmed)") % {"customer": b.customer.name}
            else:
                summary = _("Tattoo session: %(customer)s") % {"customer": b.customer.name}
            details = _("Status: %(status)s. Deposit %(amount)s.") % {
                "status": status_word(b.status),
                "amount": l10n.money(b.deposit_amount),
            }
        event = icalendar.Event()
        event.add("uid", f"booking-{b.pk}@{host}")
        event.add("dtstamp", stamp)
        # On the artist's clock (TZID, with its VTIMEZONE below): the session's own zone.
        event.add("dtstart", b.slot.astimezone(zone))
        event.add("dtend", b.ends_at.astimezone(zone))
        event.add("summary", summary)
        event.add("description", f"{details} {b.notes}".strip())
        event.add("status", "TENTATIVE" if b.status == BookingStatus.PENDING else "CONFIRMED")
        event.add("url", request.build_absolute_uri(reverse("booking-detail", args=[b.pk])))
        cal.add_component(event)
    if cal.events:
        ics.add_timezone(cal, artist.timezone)
    body = cal.to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="inkbook.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
