"""The artist's dashboard and its forms: hours, time off, settings, profile, portfolio, the calendar link."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import ArtistProfileForm
from accounts.models import Tattooist
from accounts.profile import tattooist_update_profile
from accounts.serializers import ArtistProfileUpdateSerializer
from bookings import selectors
from bookings.forms import AvailabilityForm, SettingsForm, TimeOffForm, apply_serializer
from bookings.models import ACTIVE_STATUSES
from bookings.serializers import ArtistSettingsSerializer, AvailabilityWindowSerializer, TimeOffSerializer
from bookings.services import moves as booking_moves
from bookings.services import schedule as schedule_writes
from portfolio import selectors as portfolio_selectors
from portfolio.models import PortfolioItem
from portfolio.services import portfolio_item_delete
from tattoo.core.errors import ApplicationError
from tattoo.core.forms import add_application_error
from tattoo.site.views.refusals import refuse


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
        b.moves = booking_moves.allowed_moves(booking=b, actor=request.user)
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
        refuse(exc)
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
        write=lambda artist, data: schedule_writes.availability_create(tattooist=artist, **data),
        done=_("Hours added."),
        anchor="#hours",
    )


@login_required
@require_POST
def availability_delete(request, availability_id: int):
    return _dashboard_delete(
        request,
        lambda: schedule_writes.availability_delete(user=request.user, availability_id=availability_id),
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
        write=lambda artist, data: schedule_writes.time_off_create(tattooist=artist, **data),
        done=_("Time off added."),
        anchor="#time-off",
    )


@login_required
@require_POST
def time_off_delete(request, time_off_id: int):
    return _dashboard_delete(
        request,
        lambda: schedule_writes.time_off_delete(user=request.user, time_off_id=time_off_id),
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
        write=lambda artist, data: schedule_writes.tattooist_update_settings(
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
    schedule_writes.calendar_token_rotate(user=request.user)
    messages.success(request, _("New calendar link made; the old one no longer works."))
    return redirect(reverse("dashboard") + "#calendar")


@login_required
def dashboard(request):
    if not request.user.is_tattooist:
        raise PermissionDenied(_("The dashboard is for artists."))
    artist = request.user.tattooist
    return render(request, "accounts/dashboard.html", dashboard_context(request, artist))
