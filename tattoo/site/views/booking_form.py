"""The artist page's context, its slot picker and the booking form (templates/accounts/artist_detail.html)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.models import BookingMode, Tattooist
from bookings import selectors
from bookings.forms import BookingForm
from bookings.services import create as booking_writes
from consultations.selectors import response_hours
from portfolio import selectors as portfolio_selectors
from reviews import pages as review_pages
from search import selectors as search_selectors
from tattoo.core import l10n
from tattoo.core.errors import ApplicationError
from tattoo.core.forms import add_application_error
from tattoo.site.views.refusals import refuse

SLOT_DAYS = 14  # the slot picker shows the next two weeks


def picker_starts(artist: Tattooist, now: datetime) -> list[datetime]:
    """The picker's bookable starts: the next SLOT_DAYS from `now` (none for an artist who takes no
    bookings)."""
    if not artist.approved:
        return []
    return selectors.tattooist_slots(tattooist=artist, start=now, end=now + timedelta(days=SLOT_DAYS), now=now).starts


def slot_choices(artist: Tattooist, starts: list[datetime]) -> list:
    """Grouped <select> choices: one group per local day, the label in the artist's zone.

    Each option's value is the UTC instant; static/js/slots.js adds the visitor's local time.
    """
    tz = ZoneInfo(artist.timezone)
    groups: list[tuple[str, list]] = []
    last_day = None
    for start in starts:  # in order: each local day's starts are together
        # Day and time in the active language, from CLDR (tattoo/core/l10n.py): "Wednesday, 3 June
        # 2026" / "2026 оны 6-р сарын 3, лхагва гараг" (written once per day), and 24-hour times in both.
        day = start.astimezone(tz).date()
        if day != last_day:
            last_day = day
            groups.append((l10n.day(start, tz), []))
        groups[-1][1].append((start.strftime("%Y-%m-%dT%H:%M:%SZ"), l10n.time(start, tz)))
    return groups


def artist_page_context(request, artist: Tattooist, form: BookingForm | None = None) -> dict:
    """What an artist's page shows (templates/accounts/artist_detail.html), on a visit and when a
    refused booking form comes back: the profile, portfolio, hours, reviews and the booking section.
    `artist` comes from accounts.selectors.tattooist_get_public (the visibility rule; the page shows
    the artist's own fields, not a card's cover and tags). The picker's starts also give the profile
    its next free time when there is one within the picker's days (search.selectors.set_next_free):
    the schedule is read once, not twice."""
    now = timezone.now()
    starts = picker_starts(artist, now)
    search_selectors.set_next_free(artist, now=now, known=starts)
    choices = slot_choices(artist, starts)
    # The form is offered to whoever the service would let book (templates/accounts/artist_detail.html).
    refusal = booking_writes.booking_create_refusal(customer=request.user)
    if form is None:
        form = BookingForm(initial={"deposit_amount": artist.min_deposit}, slot_choices=choices)
    else:
        form.fields["slot"].widget.choices = choices
    # How soon the artist answers a custom request (a median, None under three answers): for those who take them.
    replies = None if artist.booking_mode == BookingMode.DIRECT else response_hours(tattooist_id=artist.pk, now=now)
    return {
        "artist": artist,
        "reply_time": l10n.duration(timedelta(hours=replies)) if replies is not None else "",
        "portfolio": portfolio_selectors.portfolio_for(tattooist=artist),
        "week": selectors.weekly_hours(tattooist=artist),
        **review_pages.artist_reviews(tattooist_id=artist.pk),
        "booking_form": form,
        "has_slots": bool(choices),
        "slot_days": SLOT_DAYS,
        "can_book": refusal is None,
        "book_refusal": refusal.code if refusal else "",
    }


@login_required
@require_POST
def booking_create(request, tattooist_id: int):
    artist = account_selectors.tattooist_get_public(tattooist_id=tattooist_id, viewer=request.user)
    refusal = booking_writes.booking_create_refusal(customer=request.user)
    if refusal is not None and refusal.code != "email_unverified":  # that one is said on the form
        refuse(refusal)
    form = BookingForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        slot = _parse_slot(data["slot"])
        if slot is None:
            form.add_error("slot", _("Pick a time from the list."))
        else:
            try:
                booking = booking_writes.booking_create(
                    customer=request.user,
                    tattooist_id=artist.pk,
                    slot=slot,
                    deposit_amount=data["deposit_amount"],
                    notes=data["notes"],
                )
            except ApplicationError as exc:
                if exc.status_code in (403, 404) and exc.code != "email_unverified":
                    refuse(exc)
                add_application_error(form, exc)
                status = exc.status_code
                if exc.code == "slot_taken":
                    form.add_error(None, _("Someone has just booked that time. Please pick another slot."))
            else:
                messages.success(request, _("Booked! Pay the deposit to confirm your slot."))
                return redirect("booking-detail", booking.pk)
    context = artist_page_context(request, artist, form)
    return render(request, "accounts/artist_detail.html", context, status=status)


def _parse_slot(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
