from __future__ import annotations

import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import District, SpokenLanguage
from accounts.profile import PRICE_MAX
from search.selectors import MAX_AVAILABILITY_DAYS, SORTS, ArtistQuery

MIN_YEAR, MAX_YEAR = 1970, 2200  # keeps date arithmetic far from datetime's limits
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _QueryText(serializers.CharField):
    default_error_messages = {"nul": gettext_lazy("No NUL characters.")}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "\x00" in value:
            self.fail("nul")
        return value


class _Day(serializers.DateField):
    """A calendar date written YYYY-MM-DD (nothing else: no time, no other shape)."""

    default_error_messages = {"range": gettext_lazy("Use a year from 1970 to 2200.")}

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)

    def to_internal_value(self, value):
        if not (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
            self.fail("invalid", format="YYYY-MM-DD")
        day = super().to_internal_value(value)
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            self.fail("range")
        return day


class _Page(serializers.CharField):
    """A page number, or `last` (DRF's pagination reads it; one past the end is its 400)."""

    default_error_messages = {"page": gettext_lazy("A page number from 1, or last.")}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in ("", "last") and not (value.isascii() and value.isdigit() and int(value) >= 1):
            self.fail("page")
        return value


# Query parameters are camelCase on the wire like every name the API shows (docs/api.md); the
# fields are named so, and `source` gives the selector's names.
class ArtistListQuerySerializer(serializers.Serializer):
    """The parameters of GET /api/tattooists and the home page: the one list of what the list reads
    (ETag keys, the OpenAPI document, the page's form). A bad value of any of them is 400 on it."""

    q = _QueryText(
        max_length=100,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Name, studio, bio and portfolio tags, in Cyrillic or Latin letters (each spelling finds the "
        "other: `saraa` finds Сараа); every word as a prefix; small typos in names are forgiven.",
    )
    style = _QueryText(max_length=32, required=False, allow_blank=True, help_text="A portfolio tag (any case).")
    district = serializers.ChoiceField(choices=District.choices, required=False, allow_blank=True)
    city = _QueryText(max_length=80, required=False, allow_blank=True, help_text="In either script, any case.")
    language = serializers.ChoiceField(choices=SpokenLanguage.choices, required=False, allow_blank=True)
    priceMax = serializers.DecimalField(
        source="price_max",
        max_digits=12,
        decimal_places=0,
        min_value=Decimal(0),
        max_value=PRICE_MAX,
        required=False,
        allow_null=True,
        help_text="Whole MNT: only artists whose `priceFrom` is at most this.",
    )
    minRating = serializers.DecimalField(
        source="min_rating",
        max_digits=2,
        decimal_places=1,
        min_value=Decimal(1),
        max_value=Decimal(5),
        required=False,
        allow_null=True,
        help_text="1 to 5: only artists whose average rating is at least this.",
    )
    availableFrom = _Day(
        source="available_from",
        required=False,
        allow_null=True,
        help_text="YYYY-MM-DD: only artists with a bookable start from this day (in their own zone). Alone: the "
        f"{MAX_AVAILABILITY_DAYS} days from it.",
    )
    availableTo = _Day(
        source="available_to",
        required=False,
        allow_null=True,
        help_text=f"YYYY-MM-DD, included; at most {MAX_AVAILABILITY_DAYS} days from availableFrom.",
    )
    sort = serializers.ChoiceField(
        choices=SORTS,
        required=False,
        allow_blank=True,
        help_text="`relevance` (the default with `q`), `rating`, `price`, `soonest` (nextAvailable first, none "
        "last) or `newest` (the default without `q`).",
    )
    page = _Page(required=False, allow_blank=True, help_text="1 and up, or `last`.")
    # Read by the pagination as on every list (docs/api.md): not a positive number -> 20, over 100 -> 100.
    pageSize = serializers.CharField(
        required=False, allow_blank=True, help_text="1 to 100 (default 20; more is read as 100)."
    )

    def validate(self, data):
        first, last = data.get("available_from"), data.get("available_to")
        if first and last:
            if last < first:
                raise serializers.ValidationError({"availableTo": [_("Must not be before availableFrom.")]})
            if (last - first).days + 1 > MAX_AVAILABILITY_DAYS:
                raise serializers.ValidationError(
                    {"availableTo": [_("At most %(days)s days from availableFrom.") % {"days": MAX_AVAILABILITY_DAYS}]}
                )
        return data

    @classmethod
    def parameter_names(cls) -> list[str]:
        """The query parameters the list reads, as clients send them."""
        return list(cls._declared_fields)

    def to_query(self) -> ArtistQuery:
        data = self.validated_data
        return ArtistQuery(
            q=data.get("q") or "",
            style=data.get("style") or "",
            district=data.get("district") or "",
            city=data.get("city") or "",
            language=data.get("language") or "",
            price_max=data.get("price_max"),
            min_rating=data.get("min_rating"),
            available_from=data.get("available_from"),
            available_to=data.get("available_to"),
            sort=data.get("sort") or "",
        )


@extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
class _ZonedField(serializers.Field):
    """An instant with the artist's UTC offset (or null)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return value.isoformat()

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return value.astimezone(ZoneInfo(instance.timezone)) if value is not None else None


class RatingSerializer(serializers.Serializer):
    average = serializers.DecimalField(
        max_digits=2,
        decimal_places=1,
        source="rating_average",
        allow_null=True,
        coerce_to_string=False,
        help_text="To one decimal; null without reviews.",
    )
    count = serializers.IntegerField(source="rating_count")


# Declared fields rather than a ModelSerializer: it renders every page of the public artist list,
# and a ModelSerializer rebuilds its fields from the model on each use.
class ArtistSerializer(serializers.Serializer):
    """The public face of an artist (no e-mail, no approval details)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    bio = serializers.CharField(read_only=True)
    style_tags = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Distinct union of the artist's portfolio tags."
    )
    styles = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Up to 5 most used portfolio tags."
    )
    timezone = serializers.CharField(read_only=True)
    session_minutes = serializers.IntegerField(read_only=True)
    min_deposit = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    studio_name = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    district = serializers.CharField(read_only=True, help_text="One of Ulaanbaatar's nine districts, or empty.")
    price_from = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)
    hourly_rate = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    avatar_url = serializers.URLField(source="avatar", read_only=True, allow_null=True)
    cover_url = serializers.URLField(
        source="cover", read_only=True, allow_null=True, help_text="The newest portfolio image, or null."
    )
    rating = RatingSerializer(source="*", read_only=True)
    next_available = _ZonedField(
        help_text="The first bookable start within 60 days, with the artist's UTC offset; null when none."
    )
    booking_mode = serializers.CharField(read_only=True, help_text="`direct`, `request` or `both`.")


class ArtistDetailSerializer(ArtistSerializer):
    """One artist, with the deposit policy a customer agrees to by booking (docs/deposits.md)."""

    deposit_refundable_hours = serializers.IntegerField(read_only=True)
    address = serializers.CharField(read_only=True)
    instagram = serializers.CharField(read_only=True, help_text="A handle, without @; empty when none.")
    heal_days = serializers.IntegerField(read_only=True)
    response_hours = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Median hours to the artist's first answer to a consultation over 90 days; null under 3.",
    )
