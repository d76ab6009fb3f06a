"""Thin DRF views for artists (public reads, own settings), availability, time off and bookings."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCustomer, IsTattooist
from accounts.profile import PROFILE_FIELDS, tattooist_update_profile
from accounts.serializers import TattooistProfileSerializer
from bookings import selectors
from bookings.models import BookingStatus
from bookings.serializers import (
    ArtistMeUpdateSerializer,
    AvailabilitySerializer,
    AvailabilityWindowSerializer,
    BookingCreateSerializer,
    BookingDetailSerializer,
    BookingRescheduleSerializer,
    BookingSerializer,
    BookingStatusSerializer,
    SlotsSerializer,
    TimeOffSerializer,
)
from bookings.services.create import booking_create
from bookings.services.moves import booking_change_status, booking_reschedule
from bookings.services.schedule import (
    availability_create,
    availability_delete,
    tattooist_update_settings,
    time_off_create,
    time_off_delete,
)
from tattoo.core import http_cache
from tattoo.core.errors import ApplicationError
from tattoo.core.idempotency import SCHEMA_PARAMETER as IDEMPOTENCY_KEY
from tattoo.core.idempotency import SCHEMA_RESPONSES as IDEMPOTENCY_RESPONSES
from tattoo.core.idempotency import idempotent

MAX_SLOT_RANGE = timedelta(days=62)
MIN_YEAR, MAX_YEAR = 1970, 2200  # keeps date arithmetic far from datetime's limits
DEFAULT_SLOT_RANGE = timedelta(days=7)


# --- artists ----------------------------------------------------------------------------------


def _parse_bound(raw: str | None, name: str, tz: ZoneInfo, *, end: bool) -> datetime | None:
    """A date-time with an offset, or a plain date meaning that local day (start; for `to`, its end)."""
    if raw is None or raw.strip() == "":
        return None
    raw = raw.strip()
    if "T" in raw and " " in raw:
        raw = raw.replace(" ", "+")  # an unencoded "+08:00" arrives as " 08:00"
    try:
        # a bare date first: parse_datetime would read it as a naive midnight
        day = parse_date(raw) if len(raw) == 10 else None
        parsed = None if day else parse_datetime(raw)
    except ValueError:
        parsed = day = None
    if (parsed or day) is not None and not MIN_YEAR <= (parsed or day).year <= MAX_YEAR:
        raise ApplicationError(
            _("`%(name)s` is out of range.") % {"name": name},
            code="invalid",
            fields={
                name: [
                    _("Use a year from %(min_year)s to %(max_year)s.") % {"min_year": MIN_YEAR, "max_year": MAX_YEAR}
                ]
            },
        )
    if parsed is not None:
        if parsed.tzinfo is None:
            raise ApplicationError(
                _("`%(name)s` needs a UTC offset.") % {"name": name},
                code="invalid",
                fields={name: [_("Include a UTC offset or give a date.")]},
            )
        return parsed
    if day is not None:
        if end:
            day += timedelta(days=1)
        return datetime.combine(day, datetime.min.time(), tzinfo=tz)
    raise ApplicationError(
        _("`%(name)s` is not a date or date-time.") % {"name": name},
        code="invalid",
        fields={name: [_("Use YYYY-MM-DD or ISO 8601 with an offset.")]},
    )


class TattooistSlotsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="tattooists_slots",
        description=(
            "Bookable start times in [from, to). Starts lie on a grid anchored at each availability window's "
            "start, every BOOKING_SLOT_STEP_MINUTES (default 30) minutes, where the whole session fits in the "
            "window and touches no active booking or time off, at least the minimum notice and at most the "
            "booking horizon ahead. DST-correct: windows are the artist's wall-clock time."
        ),
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.STR,
                description="Range start: ISO 8601 with an offset, or YYYY-MM-DD (that day in the artist's zone). "
                "Default: now.",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.STR,
                description="Range end (exclusive; a date includes that whole day). Default: from + 7 days. "
                "At most 62 days after `from`.",
            ),
            *http_cache.schema_parameters(),
        ],
        responses={200: SlotsSerializer, **http_cache.schema_responses()},
    )
    @http_cache.public_read(
        lambda tattooist_id: [
            http_cache.artist_key(tattooist_id),
            http_cache.slots_key(tattooist_id),
            http_cache.CLOCK,
        ],
        query=("from", "to"),
    )
    def get(self, request, tattooist_id: int):
        artist = selectors.tattooist_get_bookable(tattooist_id=tattooist_id)
        tz = ZoneInfo(artist.timezone)
        start = _parse_bound(request.query_params.get("from"), "from", tz, end=False) or timezone.now()
        end = _parse_bound(request.query_params.get("to"), "to", tz, end=True) or start + DEFAULT_SLOT_RANGE
        if end <= start:
            raise ApplicationError(
                _("`to` must be after `from`."), code="invalid", fields={"to": [_("Must be after from.")]}
            )
        if end - start > MAX_SLOT_RANGE:
            raise ApplicationError(
                _("Ask for at most 62 days at a time."),
                code="range_too_long",
                fields={"to": [_("At most 62 days after from.")]},
            )
        result = selectors.tattooist_slots(tattooist=artist, start=start, end=end)
        return Response(SlotsSerializer(result, context={"zone": tz}).data)


class TattooistMeApi(APIView):
    permission_classes = [IsTattooist]

    @extend_schema(
        request=ArtistMeUpdateSerializer,
        responses={200: TattooistProfileSerializer},
        operation_id="tattooists_me_update",
    )
    def patch(self, request):
        data = ArtistMeUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        profile = {name: values.pop(name) for name in PROFILE_FIELDS if name in values}
        if "avatar_url" in values:
            profile["avatar_url"] = values.pop("avatar_url")
        if "timezone" in values:
            values["timezone_name"] = values.pop("timezone")
        # The profile and the booking settings in one transaction (the avatar's bucket calls before it).
        artist = tattooist_update_profile(
            tattooist=selectors.tattooist_of(request.user),
            and_then=lambda artist: tattooist_update_settings(tattooist=artist, **values),
            **profile,
        )
        return Response(TattooistProfileSerializer(artist).data)


# --- availability -----------------------------------------------------------------------------


class AvailabilityCreateApi(APIView):
    permission_classes = [IsTattooist]

    @extend_schema(
        request=AvailabilityWindowSerializer,
        responses={201: AvailabilityWindowSerializer},
        operation_id="availability_create",
    )
    def post(self, request):
        data = AvailabilityWindowSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        window = availability_create(tattooist=selectors.tattooist_of(request.user), **data.validated_data)
        return Response(AvailabilityWindowSerializer(window).data, status=status.HTTP_201_CREATED)


class AvailabilityItemApi(APIView):
    """GET /api/availability/{id}: that *artist's* windows. DELETE /api/availability/{id}: that *window*."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method in ("GET", "HEAD", "OPTIONS") else [IsTattooist()]

    @extend_schema(
        responses={200: AvailabilitySerializer, **http_cache.schema_responses()},
        operation_id="availability_for_tattooist",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The artist's id."),
            *http_cache.schema_parameters(),
        ],
    )
    @http_cache.public_read(lambda pk: [http_cache.artist_key(pk)], query=())
    def get(self, request, pk: int):
        artist, windows = selectors.availability_for(tattooist_id=pk, viewer=request.user)
        return Response(AvailabilitySerializer({"timezone": artist.timezone, "windows": windows}).data)

    @extend_schema(
        responses={204: None},
        operation_id="availability_delete",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The window's id.")],
    )
    def delete(self, request, pk: int):
        availability_delete(user=request.user, availability_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- time off ---------------------------------------------------------------------------------


class TimeOffListCreateApi(generics.ListAPIView):
    permission_classes = [IsTattooist]
    serializer_class = TimeOffSerializer

    def get_queryset(self):
        return selectors.time_off_for(tattooist=selectors.tattooist_of(self.request.user))

    @extend_schema(operation_id="time_off_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=TimeOffSerializer, responses={201: TimeOffSerializer}, operation_id="time_off_create")
    def post(self, request):
        data = TimeOffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = time_off_create(tattooist=selectors.tattooist_of(request.user), **data.validated_data)
        return Response(TimeOffSerializer(entry).data, status=status.HTTP_201_CREATED)


class TimeOffItemApi(APIView):
    permission_classes = [IsTattooist]

    @extend_schema(responses={204: None}, operation_id="time_off_delete")
    def delete(self, request, pk: int):
        time_off_delete(user=request.user, time_off_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- bookings ---------------------------------------------------------------------------------


class BookingListCreateApi(generics.ListAPIView):
    serializer_class = BookingSerializer

    def get_permissions(self):
        return [IsCustomer()] if self.request.method == "POST" else super().get_permissions()

    def get_queryset(self):
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in BookingStatus.values:
            raise ApplicationError(
                _("Unknown status %(wanted)r.") % {"wanted": wanted},
                code="invalid",
                fields={"status": [_("One of: %(choices)s.") % {"choices": ", ".join(BookingStatus.values)}]},
            )
        return selectors.booking_list_for(user=self.request.user, status=wanted)

    @extend_schema(
        operation_id="bookings_list",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=BookingStatus.values)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=BookingCreateSerializer,
        responses={201: BookingSerializer, **IDEMPOTENCY_RESPONSES},
        parameters=[IDEMPOTENCY_KEY],
        operation_id="bookings_create",
        description="A verified customer books a pending, unpaid hold. At most BOOKING_CREATE_RATE (20/hour) per "
        "user, else 429 `rate_limited` with Retry-After; a customer who cancelled "
        "BOOKING_MAX_CANCELLED_HOLDS_PER_DAY (5) unpaid holds in the last 24 hours → 409 `too_many_cancelled_holds` "
        '(docs/api.md, "Rates").',
    )
    @idempotent
    def post(self, request):
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = booking_create(customer=request.user, **data.validated_data)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class BookingRescheduleApi(APIView):
    extra_error_codes = (409,)

    @extend_schema(
        request=BookingRescheduleSerializer,
        responses={200: BookingDetailSerializer},
        operation_id="bookings_reschedule",
        summary="Move a pending or confirmed booking to another start",
        description=(
            "The parties and staff may move a booking; the new start must be bookable (the artist's hours, "
            "notice, horizon, free). A customer may move a booking BOOKING_FREE_RESCHEDULES times (1), each at "
            "least BOOKING_RESCHEDULE_NOTICE_HOURS (48) before it starts: 409 `reschedule_limit` / "
            "`reschedule_too_late`; a taken slot is 409 `slot_taken`."
        ),
    )
    def post(self, request, pk: int):
        selectors.booking_get_for(user=request.user, booking_id=pk)  # who asks, before the body
        data = BookingRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking_reschedule(booking_id=pk, actor=request.user, slot=data.validated_data["slot"])
        booking = selectors.booking_get_for(user=request.user, booking_id=pk, with_events=True)
        return Response(BookingDetailSerializer(booking).data)


class BookingDetailApi(APIView):
    @extend_schema(responses={200: BookingDetailSerializer}, operation_id="bookings_retrieve")
    def get(self, request, pk: int):
        booking = selectors.booking_get_for(user=request.user, booking_id=pk, with_events=True)
        return Response(BookingDetailSerializer(booking).data)

    @extend_schema(
        request=BookingStatusSerializer,
        responses={200: BookingDetailSerializer},
        operation_id="bookings_update_status",
        description="A party's or staff's status move (docs/api.md, \"Booking status moves\"): `completed` and "
        "`no_show` only once the session started (409 `too_early`). Cancels: at most BOOKING_CANCEL_RATE (20/hour) "
        "per user (staff unlimited), else 429 `rate_limited` with Retry-After.",
    )
    def patch(self, request, pk: int):
        selectors.booking_get_for(user=request.user, booking_id=pk)  # who asks, before the body
        data = BookingStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking_change_status(
            booking_id=pk, actor=request.user, to_status=data.validated_data["status"], note=data.validated_data["note"]
        )
        booking = selectors.booking_get_for(user=request.user, booking_id=pk, with_events=True)
        return Response(BookingDetailSerializer(booking).data)
