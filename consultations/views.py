"""Pages of custom work: the request form (phone first; photos go straight to the bucket), the
requests list (a customer's, or an artist's inbox), a request with its thread and the artist's
quote form, the customer's quote page (accept, then pay), and the project page.

Thin: forms shape the input, the services decide, and every button is offered by asking the
service's own refusal predicate. Every write is a POST with CSRF and answers with a redirect (or
the page again with the form's errors)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import tattooist_get_public
from bookings.models import BookingStatus
from consultations import selectors
from consultations.forms import ChooseSlotForm, DeclineForm, MessageForm, QuoteForm, RequestForm
from consultations.models import ANSWERABLE_CONSULTATION, ConsultationStatus, ProjectStatus, QuoteStatus
from consultations.services import projects as project_writes
from consultations.services import quotes as quote_writes
from consultations.services import requests as request_writes
from consultations.services.common import (
    MAX_IMAGES,
    consultation_for,
    project_for,
    quote_for,
    require_artist,
    require_project_party,
)
from payments.ledger import deposit_ledger
from payments.services.invoices import payment_refusal
from tattoo.core import l10n
from tattoo.core.errors import ApplicationError
from tattoo.core.forms import add_application_error

PAGE_SIZE = 25


def _refuse(exc: ApplicationError) -> None:
    if exc.status_code == 404:
        raise Http404(exc.message)
    raise PermissionDenied(exc.message)


def _call(action):
    """A service call from a page: 403/404 become the error pages, the rest is raised on."""
    try:
        return action()
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            _refuse(exc)
        raise


def _slot_choices(starts: list[datetime], zone: str) -> list:
    """Grouped choices, one group per local day (the artist's zone); values are UTC instants."""
    groups: dict[str, list] = {}
    for start in starts:
        groups.setdefault(l10n.day(start, zone), []).append(
            (start.strftime("%Y-%m-%dT%H:%M:%SZ"), l10n.time(start, zone))
        )
    return list(groups.items())


def _flat(choices: list) -> list:
    return [(value, f"{day} {label}") for day, options in choices for value, label in options]


def _parse(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _upload_context() -> dict:
    return {"upload_max_bytes": settings.UPLOAD_MAX_BYTES, "max_photos": MAX_IMAGES}


# --- the request form ---------------------------------------------------------------------------------


@login_required
def request_new(request, tattooist_id: int):
    artist = tattooist_get_public(tattooist_id=tattooist_id, viewer=request.user)
    refusal = request_writes.consultation_create_refusal(customer=request.user)
    if refusal is not None and refusal.code != "email_unverified":  # that one is said on the page
        _refuse(refusal)
    closed = request_writes.requests_closed_refusal(artist=artist)
    form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and refusal is None and closed is None:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                consultation = _call(
                    lambda: request_writes.consultation_create(
                        customer=request.user,
                        tattooist_id=artist.pk,
                        image_urls=request.POST.getlist("image_urls")[: MAX_IMAGES + 1],
                        **data,
                    )
                )
            except ApplicationError as exc:
                add_application_error(form, exc, field_map={"imageUrls": "__all__"})
                status = exc.status_code
            else:
                messages.success(request, _("Request sent. The artist answers here, and you get a mail."))
                return redirect("consultation-detail", consultation.pk)
    context = {
        "artist": artist,
        "form": form,
        "unverified": refusal is not None,
        "closed": closed.message if closed is not None else "",
        **_upload_context(),
    }
    return render(request, "consultations/request_form.html", context, status=status)


# --- lists ------------------------------------------------------------------------------------------


@login_required
def consultation_list(request):
    wanted = request.GET.get("status") or None
    if wanted not in (None, *ConsultationStatus.values):
        wanted = None
    rows = selectors.consultation_list_for(user=request.user, status=wanted)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "consultations/list.html",
        {"page": page, "statuses": ConsultationStatus.choices, "wanted": wanted or ""},
    )


# --- one request ------------------------------------------------------------------------------------


def _minutes(request, default: int) -> int:
    try:
        minutes = int(request.GET.get("minutes") or request.POST.get("session_minutes") or default)
    except ValueError:
        minutes = default
    return min(max(minutes, 15), 12 * 60)


def _detail_context(request, consultation, **forms) -> dict:
    user = request.user
    detail = selectors.consultation_detail(consultation=consultation)
    artist = detail.tattooist
    is_artist = user.pk == artist.user_id
    is_customer = user.pk == detail.customer_id
    can_quote = quote_writes.quote_create_refusal(consultation=detail, user=user) is None
    minutes = _minutes(request, artist.session_minutes)
    quote_form = forms.get("quote_form")
    if can_quote and quote_form is None:
        choices = _slot_choices(
            selectors.free_starts(artist=artist, minutes=minutes, start=timezone.now()), artist.timezone
        )
        quote_form = QuoteForm(initial={"session_minutes": minutes}, slot_choices=choices)
    quotes = list(detail.quotes.all())
    return {
        "consultation": detail,
        "artist": artist,
        "is_artist": is_artist,
        "is_customer": is_customer,
        "open_quote": next((q for q in quotes if q.status == QuoteStatus.OPEN), None),
        "quotes": quotes,
        "can_message": request_writes.message_refusal(consultation=detail, user=user) is None,
        "message_form": forms.get("message_form") or MessageForm(),
        "can_decline": is_artist and detail.status in ANSWERABLE_CONSULTATION,
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "can_withdraw": is_customer and detail.status in ANSWERABLE_CONSULTATION,
        "can_quote": can_quote,
        "quote_form": quote_form,
        "quote_minutes": minutes,
        **_upload_context(),
    }


@login_required
def consultation_page(request, consultation_id: int):
    consultation = _call(lambda: consultation_for(user=request.user, consultation_id=consultation_id))
    return render(request, "consultations/detail.html", _detail_context(request, consultation))


def _again(request, consultation_id: int, status: int, **forms):
    consultation = _call(lambda: consultation_for(user=request.user, consultation_id=consultation_id))
    return render(request, "consultations/detail.html", _detail_context(request, consultation, **forms), status=status)


@login_required
@require_POST
def message_post(request, consultation_id: int):
    _call(lambda: consultation_for(user=request.user, consultation_id=consultation_id))
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            _call(
                lambda: request_writes.consultation_message_create(
                    user=request.user,
                    consultation_id=consultation_id,
                    body=form.cleaned_data["body"],
                    image_urls=request.POST.getlist("image_urls")[: MAX_IMAGES + 1],
                )
            )
        except ApplicationError as exc:
            add_application_error(form, exc, field_map={"imageUrls": "__all__"})
            return _again(request, consultation_id, exc.status_code, message_form=form)
        return redirect("consultation-detail", consultation_id)
    return _again(request, consultation_id, 400, message_form=form)


@login_required
@require_POST
def withdraw(request, consultation_id: int):
    try:
        _call(lambda: request_writes.consultation_withdraw(user=request.user, consultation_id=consultation_id))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("consultation-detail", consultation_id)


@login_required
@require_POST
def decline(request, consultation_id: int):
    consultation = _call(lambda: consultation_for(user=request.user, consultation_id=consultation_id))
    _call(lambda: require_artist(consultation, request.user))
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            _call(
                lambda: request_writes.consultation_decline(
                    user=request.user, consultation_id=consultation_id, reason=form.cleaned_data["reason"]
                )
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
            return _again(request, consultation_id, exc.status_code, decline_form=form)
        messages.success(request, _("Request declined; the customer is told why."))
        return redirect("consultation-detail", consultation_id)
    return _again(request, consultation_id, 400, decline_form=form)


@login_required
@require_POST
def quote_send(request, consultation_id: int):
    consultation = _call(lambda: consultation_for(user=request.user, consultation_id=consultation_id))
    _call(lambda: require_artist(consultation, request.user))
    artist = consultation.tattooist
    minutes = _minutes(request, artist.session_minutes)
    choices = _slot_choices(
        selectors.free_starts(artist=artist, minutes=minutes, start=timezone.now()), artist.timezone
    )
    # The starts offered when the page was drawn may have moved on: the service judges each one.
    form = QuoteForm(
        request.POST, slot_choices=[*choices, ("", [(v, v) for v in request.POST.getlist("proposed_slots")])]
    )
    if form.is_valid():
        data = form.cleaned_data
        slots = [_parse(v) for v in data["proposed_slots"]]
        if None in slots:
            form.add_error("proposed_slots", _("Pick the start times from the list."))
        else:
            try:
                quote = _call(
                    lambda: quote_writes.quote_create(
                        user=request.user,
                        consultation_id=consultation_id,
                        price_min=data["price_min"],
                        price_max=data["price_max"],
                        sessions=data["sessions"],
                        session_minutes=data["session_minutes"],
                        deposit_amount=data["deposit_amount"],
                        deposit_applies_to=data["deposit_applies_to"],
                        proposed_slots=slots,
                        note=data["note"],
                        expires_at=timezone.now() + timedelta(hours=data["expires_in_hours"]),
                    )
                )
            except ApplicationError as exc:
                add_application_error(form, exc)
                form.fields["proposed_slots"].choices = choices
                return _again(request, consultation_id, exc.status_code, quote_form=form)
            messages.success(request, _("Quote sent (version %(version)s).") % {"version": quote.version})
            return redirect(reverse("consultation-detail", args=[consultation_id]) + f"?minutes={minutes}")
    form.fields["proposed_slots"].choices = choices
    return _again(request, consultation_id, 400, quote_form=form)


# --- the quote page ---------------------------------------------------------------------------------


def _quote_visible(request, quote_id: int):
    quote = _call(lambda: quote_for(quote_id=quote_id))
    _call(lambda: consultation_for(user=request.user, consultation_id=quote.consultation_id))
    return quote


def _quote_context(request, quote, accept_form=None) -> dict:
    consultation = quote.consultation
    zone = consultation.tattooist.timezone
    now = timezone.now()
    is_customer = request.user.pk == consultation.customer_id
    can_accept = is_customer and quote_writes.quote_accept_refusal(quote=quote, now=now) is None
    starts = [s for s in quote.proposed_slots if s > now]
    project = getattr(quote, "project", None) if quote.status == QuoteStatus.ACCEPTED else None
    first = None
    if project is not None:
        session = project.sessions.select_related("booking").filter(seq=1).first()
        first = session.booking if session else None
    return {
        "quote": quote,
        "consultation": consultation,
        "zone": zone,
        "is_customer": is_customer,
        "can_accept": can_accept,
        "accept_form": accept_form or ChooseSlotForm(slot_choices=_flat(_slot_choices(starts, zone))),
        "project": project,
        "first_booking": first,
        "can_pay": first is not None and payment_refusal(booking=first, user=request.user) is None,
    }


@login_required
def quote_page(request, quote_id: int):
    quote = _quote_visible(request, quote_id)
    return render(request, "consultations/quote.html", _quote_context(request, quote))


@login_required
@require_POST
def quote_accept(request, quote_id: int):
    quote = _quote_visible(request, quote_id)
    _call(lambda: quote_writes.require_customer(quote, request.user))
    zone = quote.consultation.tattooist.timezone
    form = ChooseSlotForm(request.POST, slot_choices=_flat(_slot_choices(quote.proposed_slots, zone)))
    status = 400
    if form.is_valid():
        slot = _parse(form.cleaned_data["slot"])
        try:
            _call(lambda: quote_writes.quote_accept(user=request.user, quote_id=quote_id, slot=slot))
        except ApplicationError as exc:
            add_application_error(form, exc)
            status = exc.status_code
            if exc.code == "slot_taken":
                form.add_error(None, _("Someone has just booked that time. Pick another one, or ask the artist."))
        else:
            messages.success(request, _("Quote accepted. Pay the deposit to hold your first session."))
            return redirect("quote-detail", quote_id)
    quote = quote_for(quote_id=quote_id)
    return render(request, "consultations/quote.html", _quote_context(request, quote, form), status=status)


@login_required
@require_POST
def quote_decline(request, quote_id: int):
    quote = _quote_visible(request, quote_id)
    try:
        _call(lambda: quote_writes.quote_decline(user=request.user, quote_id=quote_id))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Quote declined. The artist may send another one."))
    return redirect("consultation-detail", quote.consultation_id)


# --- the project page ---------------------------------------------------------------------------------


def _project_context(request, project, session_form=None) -> dict:
    detail = selectors.project_detail(project=project)
    artist = detail.tattooist
    sessions = list(detail.sessions.all())
    is_party = request.user.pk in (detail.customer_id, artist.user_id)
    refusal = project_writes.session_booking_refusal(project=detail, sessions=sessions)
    earliest = None
    choices: list = []
    if is_party and refusal is None:
        earliest = project_writes.next_session_earliest(project=detail, sessions=sessions, artist=artist)
        starts = selectors.free_starts(artist=artist, minutes=detail.session_minutes, start=earliest)
        choices = _slot_choices(starts, artist.timezone)
    first = next((s.booking for s in sessions if s.seq == 1), None)
    done = [s for s in sessions if s.booking.status == BookingStatus.COMPLETED]
    return {
        "project": detail,
        "artist": artist,
        "sessions": sessions,
        "done": len(done),
        "deposit": deposit_ledger(booking=first) if first is not None else None,
        "first_booking": first,
        "can_book": is_party and refusal is None,
        "book_refusal": refusal.message if refusal is not None and detail.status == ProjectStatus.ACTIVE else "",
        "earliest": earliest,
        "session_form": session_form or ChooseSlotForm(slot_choices=choices),
        "has_starts": bool(choices),
        "can_cancel": project_writes.project_cancel_refusal(project=detail) is None,
        "heal_days": artist.heal_days,
    }


@login_required
def project_page(request, project_id: int):
    project = _call(lambda: project_for(user=request.user, project_id=project_id))
    return render(request, "consultations/project.html", _project_context(request, project))


@login_required
@require_POST
def project_session(request, project_id: int):
    project = _call(lambda: project_for(user=request.user, project_id=project_id))
    _call(lambda: require_project_party(project, request.user))
    slot = _parse(request.POST.get("slot", ""))
    if slot is None:
        messages.error(request, _("Pick a time from the list."))
        return redirect("project-detail", project_id)
    try:
        booking = _call(
            lambda: project_writes.project_session_book(user=request.user, project_id=project_id, slot=slot)
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("project-detail", project_id)
    messages.success(
        request, _("Session booked for %(when)s.") % {"when": l10n.when(booking.slot, booking.tattooist.timezone)}
    )
    return redirect("project-detail", project_id)


@login_required
@require_POST
def project_cancel(request, project_id: int):
    try:
        _call(lambda: project_writes.project_cancel(user=request.user, project_id=project_id))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Project cancelled."))
    return redirect("project-detail", project_id)
