"""Booking pages: my bookings, the booking page (status, audit trail, deposit payment, actions),
booking from the artist page, the artist's dashboard forms, and the artist's ICS calendar feed.

Thin: forms shape the input, the API's serializers and the same services as the API decide.
Every write is a POST with CSRF (Django's middleware) and answers with a redirect.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors as account_selectors
from accounts.forms import ArtistProfileForm
from accounts.models import Tattooist, User
from accounts.profile import tattooist_update_profile
from accounts.serializers import ArtistProfileUpdateSerializer
from bookings import consent, selectors, services
from bookings.deposit_window import window_deadline
from bookings.forms import AvailabilityForm, BookingForm, SettingsForm, TimeOffForm, apply_serializer
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, PaymentStatus, status_word
from bookings.serializers import ArtistSettingsSerializer, AvailabilityWindowSerializer, TimeOffSerializer
from ideas.forms import IdeaForm
from ideas.selectors import ideas_for_booking
from ideas.services import idea_post_refusal
from payments.ledger import deposit_ledger, policy_refund_deadline
from payments.models import Transaction
from payments.selectors import open_invoices
from payments.services.checks import payment_status_recheck_if_due
from payments.services.invoices import payment_create, payment_refusal
from portfolio import selectors as portfolio_selectors
from portfolio.models import PortfolioItem
from portfolio.services import portfolio_item_delete
from reviews import pages as review_pages
from search import pages as search_pages
from search import selectors as search_selectors
from search.serializers import ArtistListQuerySerializer
from tattoo.core import http_cache, l10n
from tattoo.core.errors import ApplicationError
from tattoo.core.forms import add_application_error

SLOT_DAYS = 14  # the slot picker shows the next two weeks


def _refuse(exc: ApplicationError) -> None:
    """A service's 403/404 on a page: the friendly error page, never a stack trace."""
    if exc.status_code == 404:
        raise Http404(exc.message)
    raise PermissionDenied(exc.message)


_FAILED = object()


def _attempt(request, action):
    """A booking page's service call: its result, or _FAILED after a refusal became the error page
    (403/404) or a message on the next page (400/409/503)."""
    try:
        return action()
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            _refuse(exc)
        messages.error(request, exc.message)
        return _FAILED


# --- slot picker and booking form (artist page) -------------------------------------------------


def slot_choices(artist: Tattooist, now: datetime | None = None) -> list:
    """Grouped <select> choices: one group per local day, the label in the artist's zone.

    Each option's value is the UTC instant; static/js/slots.js adds the visitor's local time.
    """
    now = now or timezone.now()
    tz = ZoneInfo(artist.timezone)
    result = selectors.tattooist_slots(tattooist=artist, start=now, end=now + timedelta(days=SLOT_DAYS), now=now)
    groups: dict[str, list] = {}
    for start in result.starts:
        # Day and time in the active language, from CLDR (tattoo/core/l10n.py): "Wednesday, 3 June
        # 2026" / "2026 оны 6-р сарын 3, лхагва гараг", and 24-hour times in both.
        day = l10n.day(start, tz)
        groups.setdefault(day, []).append((start.strftime("%Y-%m-%dT%H:%M:%SZ"), l10n.time(start, tz)))
    return list(groups.items())


def booking_section_context(request, artist: Tattooist, form: BookingForm | None = None) -> dict:
    choices = slot_choices(artist) if artist.approved else []
    # The form is offered to whoever the service would let book (templates/accounts/artist_detail.html).
    refusal = services.booking_create_refusal(customer=request.user)
    if form is None:
        form = BookingForm(initial={"deposit_amount": artist.min_deposit}, slot_choices=choices)
    else:
        form.fields["slot"].widget.choices = choices
    return {
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
    refusal = services.booking_create_refusal(customer=request.user)
    if refusal is not None and refusal.code != "email_unverified":  # that one is said on the form
        _refuse(refusal)
    form = BookingForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        slot = _parse_slot(data["slot"])
        if slot is None:
            form.add_error("slot", _("Pick a time from the list."))
        else:
            try:
                booking = services.booking_create(
                    customer=request.user,
                    tattooist_id=artist.pk,
                    slot=slot,
                    deposit_amount=data["deposit_amount"],
                    notes=data["notes"],
                )
            except ApplicationError as exc:
                if exc.status_code in (403, 404) and exc.code != "email_unverified":
                    _refuse(exc)
                add_application_error(form, exc)
                status = exc.status_code
                if exc.code == "slot_taken":
                    form.add_error(None, _("Someone has just booked that time. Please pick another slot."))
            else:
                messages.success(request, _("Booked! Pay the deposit to confirm your slot."))
                return redirect("booking-detail", booking.pk)
    context = {
        "artist": search_selectors.artist_profile(tattooist_id=artist.pk, viewer=request.user),
        "portfolio": portfolio_selectors.portfolio_for(tattooist=artist),
        "week": selectors.weekly_hours(tattooist=artist),
        **review_pages.artist_reviews(tattooist_id=artist.pk),
        **booking_section_context(request, artist, form),
    }
    return render(request, "accounts/artist_detail.html", context, status=status)


def _parse_slot(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


# --- customer: my bookings, the booking page -----------------------------------------------------


@login_required
def my_bookings(request):
    bookings = selectors.booking_list_for(user=request.user).select_related("tattooist__user")[:100]
    return render(request, "bookings/my_bookings.html", {"bookings": bookings})


def _get_booking(request, booking_id: int) -> Booking:
    try:
        return selectors.booking_get_for(user=request.user, booking_id=booking_id, with_events=True)
    except ApplicationError as exc:
        _refuse(exc)
        raise


def _open_invoice(booking: Booking) -> Transaction | None:
    return open_invoices(booking_id=booking.pk, pending=True).last()


def _can_pay(booking: Booking, user: User) -> bool:
    return payment_refusal(booking=booking, user=user) is None


@login_required
def booking_detail(request, booking_id: int):
    booking = _get_booking(request, booking_id)
    booking = (
        Booking.objects.select_related("tattooist__user", "customer")
        .prefetch_related("events__actor")
        .get(pk=booking.pk)
    )
    tz = ZoneInfo(booking.tattooist.timezone)
    invoice = _open_invoice(booking) if _can_pay(booking, request.user) else None
    now = timezone.now()
    refusal = services.reschedule_refusal(booking=booking, actor=request.user, now=now)
    reschedule_options = []
    if refusal is None:
        # The artist's next free starts (the booking's own time is taken by itself, so not offered).
        free = selectors.tattooist_slots(tattooist=booking.tattooist, start=now, end=now + RESCHEDULE_WINDOW)
        reschedule_options = [(start, start.astimezone(tz)) for start in free.starts[:RESCHEDULE_CHOICES]]
    return render(
        request,
        "bookings/booking_detail.html",
        {
            "booking": booking,
            "local_start": booking.slot.astimezone(tz),
            "local_end": booking.ends_at.astimezone(tz),
            "moves": services.allowed_moves(booking=booking, actor=request.user),
            "can_pay": _can_pay(booking, request.user),
            "invoice": invoice,
            "is_customer": booking.customer_id == request.user.pk,
            # The ideas thread (templates/ideas/_thread.html): staff read it, the parties post.
            "ideas": ideas_for_booking(user=request.user, booking_id=booking.pk),
            "can_post_ideas": idea_post_refusal(booking=booking, user=request.user) is None,
            "idea_form": IdeaForm(),
            "reschedule_options": reschedule_options,
            "reschedule_notice_hours": settings.BOOKING_RESCHEDULE_NOTICE_HOURS,
            # Why a party cannot move it (shown to the customer while it is still ahead and active).
            "reschedule_refusal": refusal.message if refusal and refusal.code != "not_reschedulable" else "",
            # The signed consent (bookings/consent.py) and the review (reviews/pages.py).
            **consent.consent_section(booking=booking, user=request.user),
            **review_pages.booking_review_context(booking=booking, user=request.user),
            # The deposit ledger and the policy it follows (docs/deposits.md).
            "deposit": deposit_ledger(booking=booking),
            "refund_deadline": policy_refund_deadline(booking).astimezone(tz),
            # fixed at payment and the booking moved since: not "N hours before the start" any more
            "refund_deadline_moved": policy_refund_deadline(booking) != window_deadline(booking),
        },
    )


@login_required
@require_GET
def booking_state(request, booking_id: int):
    """What static/js/payment.js polls while a deposit is open: a database read, no QPay call."""
    booking = _get_booking(request, booking_id)
    return JsonResponse(
        {"id": booking.pk, "status": booking.status, "paymentStatus": booking.payment_status},
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_POST
def booking_status(request, booking_id: int):
    _get_booking(request, booking_id)  # who asks, before the form is judged
    to_status = request.POST.get("status", "")
    if to_status not in BookingStatus.values:
        messages.error(request, _("Unknown status."))
    else:
        moved = _attempt(
            request,
            lambda: services.booking_change_status(
                booking_id=booking_id, actor=request.user, to_status=to_status, note=request.POST.get("note", "")[:500]
            ),
        )
        if moved is not _FAILED:
            messages.success(request, _("Booking %(status)s.") % {"status": status_word(to_status)})
    return redirect(_back(request, reverse("booking-detail", args=[booking_id])))


RESCHEDULE_WINDOW = timedelta(days=30)
RESCHEDULE_CHOICES = 60


@login_required
@require_POST
def booking_reschedule(request, booking_id: int):
    _get_booking(request, booking_id)  # who asks, before the form is judged
    detail = reverse("booking-detail", args=[booking_id])
    raw = request.POST.get("slot", "")
    try:
        slot = datetime.fromisoformat(raw)
    except ValueError:
        messages.error(request, _("Pick a new time from the list."))
        return redirect(detail)
    booking = _attempt(
        request, lambda: services.booking_reschedule(booking_id=booking_id, actor=request.user, slot=slot)
    )
    if booking is not _FAILED:
        when = l10n.when(booking.slot, booking.tattooist.timezone)
        messages.success(request, _("Booking moved to %(when)s.") % {"when": when})
    return redirect(detail)


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    # Only our own site: never an open redirect. Django's check, as the login page's (a hand-made
    # prefix test let `/\evil.com` through: browsers read the backslash as a slash).
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def booking_pay(request, booking_id: int):
    _get_booking(request, booking_id)
    _attempt(request, lambda: payment_create(user=request.user, booking_id=booking_id))
    return redirect("booking-detail", booking_id)


@login_required
@require_POST
def booking_recheck(request, booking_id: int):
    booking = _get_booking(request, booking_id)
    invoice = _open_invoice(booking)
    if invoice is None:
        return redirect("booking-detail", booking_id)
    outcome = payment_status_recheck_if_due(transaction_id=invoice.pk)
    booking.refresh_from_db()
    if booking.payment_status == PaymentStatus.PAID:
        messages.success(request, _("Payment received: your booking is confirmed."))
    elif outcome is None:
        messages.info(request, _("We checked recently; the page updates by itself as soon as the payment lands."))
    else:
        messages.info(request, _("QPay has not reported the payment yet. It can take a minute."))
    return redirect("booking-detail", booking_id)


# --- artist dashboard ----------------------------------------------------------------------------


def _artist(request) -> Tattooist:
    if not request.user.is_tattooist:
        raise PermissionDenied(_("The dashboard is for artists."))
    return selectors.tattooist_of(request.user)


def dashboard_context(request, artist: Tattooist, **forms) -> dict:
    tz = ZoneInfo(artist.timezone)
    now = timezone.now()
    upcoming = list(
        selectors.booking_list_for(user=request.user)
        .filter(status__in=ACTIVE_STATUSES, ends_at__gte=now - timedelta(days=1))
        .select_related("customer", "tattooist")
        .order_by("slot", "id")[:50]
    )
    for b in upcoming:
        b.local_start = b.slot.astimezone(tz)
        b.moves = services.allowed_moves(booking=b, actor=request.user)
    time_off = list(selectors.time_off_for(tattooist=artist, now=now).filter(ends_at__gt=now)[:50])
    for t in time_off:
        t.local_start, t.local_end = t.starts_at.astimezone(tz), t.ends_at.astimezone(tz)
    return {
        "artist": artist,
        "upcoming": upcoming,
        "portfolio": portfolio_selectors.portfolio_for(tattooist=artist),
        "week": selectors.weekly_hours(tattooist=artist),
        "time_off": time_off,
        "calendar_url": request.build_absolute_uri(reverse("calendar-feed", args=[request.user.calendar_token])),
        "availability_form": forms.get("availability_form") or AvailabilityForm(),
        "time_off_form": forms.get("time_off_form") or TimeOffForm(),
        "settings_form": forms.get("settings_form")
        or SettingsForm(
            initial={
                "timezone": artist.timezone,
                "session_minutes": artist.session_minutes,
                "min_deposit": artist.min_deposit,
                "deposit_refundable_hours": artist.deposit_refundable_hours,
            }
        ),
        "profile_form": forms.get("profile_form") or ArtistProfileForm(initial=ArtistProfileForm.initial_for(artist)),
        "upload_max_bytes": settings.UPLOAD_MAX_BYTES,
    }


def _dashboard_with(request, artist, status=400, **forms):
    return render(request, "accounts/dashboard.html", dashboard_context(request, artist, **forms), status=status)


def _dashboard_form(request, *, form_class, form_name: str, serializer_class, payload, write, done: str, anchor: str):
    """A dashboard form: the page's form shapes the input, the API's serializer and the service
    decide; a refusal lands next to the form (400), success redirects to the form's section."""
    artist = _artist(request)
    form = form_class(request.POST)
    if form.is_valid():
        data = apply_serializer(form, serializer_class, payload(form.cleaned_data, artist))
        if data is not None:
            try:
                write(artist, data)
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, done)
                return redirect(reverse("dashboard") + anchor)
    return _dashboard_with(request, artist, **{form_name: form})


def _dashboard_delete(request, delete, *, done: str, anchor: str):
    """A dashboard delete: the service checks the owner (403/404 become the error pages)."""
    _artist(request)
    try:
        delete()
    except ApplicationError as exc:
        _refuse(exc)
    messages.success(request, done)
    return redirect(reverse("dashboard") + anchor)


@login_required
@require_POST
def availability_add(request):
    return _dashboard_form(
        request,
        form_class=AvailabilityForm,
        form_name="availability_form",
        serializer_class=AvailabilityWindowSerializer,
        payload=lambda cleaned, artist: dict(cleaned),
        write=lambda artist, data: services.availability_create(tattooist=artist, **data),
        done=_("Hours added."),
        anchor="#hours",
    )


@login_required
@require_POST
def availability_delete(request, availability_id: int):
    return _dashboard_delete(
        request,
        lambda: services.availability_delete(user=request.user, availability_id=availability_id),
        done=_("Hours removed."),
        anchor="#hours",
    )


def _time_off_payload(cleaned: dict, artist: Tattooist) -> dict:
    # datetime-local has no zone: it is the artist's wall clock.
    tz = ZoneInfo(artist.timezone)
    return {
        "starts_at": cleaned["starts_at"].replace(tzinfo=None).replace(tzinfo=tz).isoformat(),
        "ends_at": cleaned["ends_at"].replace(tzinfo=None).replace(tzinfo=tz).isoformat(),
        "reason": cleaned["reason"],
    }


@login_required
@require_POST
def time_off_add(request):
    return _dashboard_form(
        request,
        form_class=TimeOffForm,
        form_name="time_off_form",
        serializer_class=TimeOffSerializer,
        payload=_time_off_payload,
        write=lambda artist, data: services.time_off_create(tattooist=artist, **data),
        done=_("Time off added."),
        anchor="#time-off",
    )


@login_required
@require_POST
def time_off_delete(request, time_off_id: int):
    return _dashboard_delete(
        request,
        lambda: services.time_off_delete(user=request.user, time_off_id=time_off_id),
        done=_("Time off removed."),
        anchor="#time-off",
    )


@login_required
@require_POST
def settings_update(request):
    return _dashboard_form(
        request,
        form_class=SettingsForm,
        form_name="settings_form",
        serializer_class=ArtistSettingsSerializer,
        # A field left out is left unchanged.
        payload=lambda cleaned, artist: {name: value for name, value in cleaned.items() if value is not None},
        write=lambda artist, data: services.tattooist_update_settings(
            tattooist=artist,
            timezone_name=data.get("timezone"),
            session_minutes=data.get("session_minutes"),
            min_deposit=data.get("min_deposit"),
            deposit_refundable_hours=data.get("deposit_refundable_hours"),
        ),
        done=_("Settings saved."),
        anchor="#settings",
    )


def _profile_payload(cleaned: dict, artist: Tattooist) -> dict:
    data = {name: value for name, value in cleaned.items() if name != "remove_avatar"}
    if cleaned.get("remove_avatar"):
        data["avatar_url"] = ""
    return data


@login_required
@require_POST
def profile_update(request):
    return _dashboard_form(
        request,
        form_class=ArtistProfileForm,
        form_name="profile_form",
        serializer_class=ArtistProfileUpdateSerializer,
        payload=_profile_payload,
        write=lambda artist, data: tattooist_update_profile(tattooist=artist, **data),
        done=_("Profile saved."),
        anchor="#profile",
    )


@login_required
@require_POST
def portfolio_delete(request, item_id: int):
    def delete():
        item = get_object_or_404(PortfolioItem.objects.select_related("tattooist"), pk=item_id)
        portfolio_item_delete(item=item, actor=request.user)

    return _dashboard_delete(request, delete, done=_("Image removed from your portfolio."), anchor="#portfolio")


@login_required
@require_POST
def calendar_rotate(request):
    _artist(request)
    services.calendar_token_rotate(user=request.user)
    messages.success(request, _("New calendar link made; the old one no longer works."))
    return redirect(reverse("dashboard") + "#calendar")


# --- ICS feed ---------------------------------------------------------------------------------------


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
    cal.add_missing_timezones()
    body = cal.to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="inkbook.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- the public pages and the artist's dashboard ------------------------------------------------


# Anonymous visitors' HTML is cached like the public API reads (tattoo/core/http_cache.py): the home
# page by the catalog's version and the minute (each card's next free time moves with the clock and
# every booking), an artist page by the artist's, its bookings' and the minute (the slot list moves
# with the clock); each also by language, host, path and the query parameters it declares (the only
# ones it gets: the home page's form uses the artist list API's parameters).
@http_cache.public_page(
    lambda: [http_cache.CATALOG, http_cache.CLOCK], query=ArtistListQuerySerializer.parameter_names()
)
def home(request):
    context, status = search_pages.search_page(request)
    return render(request, "accounts/home.html", context, status=status)


@http_cache.public_page(
    lambda tattooist_id: [http_cache.artist_key(tattooist_id), http_cache.slots_key(tattooist_id), http_cache.CLOCK],
    query=(),
)
def artist_detail(request, tattooist_id: int):
    artist = search_selectors.artist_profile(tattooist_id=tattooist_id, viewer=request.user)
    return render(
        request,
        "accounts/artist_detail.html",
        {
            "artist": artist,
            "portfolio": portfolio_selectors.portfolio_for(tattooist=artist),
            "week": selectors.weekly_hours(tattooist=artist),
            **review_pages.artist_reviews(tattooist_id=artist.pk),
            **booking_section_context(request, artist),
        },
    )


@login_required
def dashboard(request):
    if not request.user.is_tattooist:
        raise PermissionDenied(_("The dashboard is for artists."))
    artist = request.user.tattooist
    return render(request, "accounts/dashboard.html", dashboard_context(request, artist))
