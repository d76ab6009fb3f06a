from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import BookingMode, District, Language, Role, SpokenLanguage, Tattooist, User, validate_person_name
from accounts.profile import normalize_instagram, price_problem, profile_problems
from tattoo.core.schema import documented


class UrlOrNullField(serializers.URLField):
    """A URL, or null where the model keeps an empty string (no image)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class TattooistProfileSerializer(serializers.ModelSerializer):
    """The artist's own profile, every field they can change (GET /api/auth/me, PATCH
    /api/tattooists/me)."""

    user_id = serializers.IntegerField(read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    district = serializers.CharField(read_only=True, help_text="One of Ulaanbaatar's nine districts, or empty.")
    avatar_url = UrlOrNullField(help_text="The attached photo, or null.")

    class Meta:
        model = Tattooist
        fields = [
            "id",
            "user_id",
            "bio",
            "approved",
            "approved_at",
            "timezone",
            "session_minutes",
            "min_deposit",
            "deposit_refundable_hours",
            "studio_name",
            "city",
            "district",
            "address",
            "price_from",
            "hourly_rate",
            "languages",
            "instagram",
            "booking_mode",
            "heal_days",
            "avatar_url",
            "aftercare_text",
        ]
        read_only_fields = fields


def _field_rule(problem: str | None) -> None:
    if problem is not None:
        raise serializers.ValidationError(problem)


def _price_field(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, help_text=help_text
    )


class ArtistProfileUpdateSerializer(serializers.Serializer):
    """The public profile's fields of PATCH /api/tattooists/me (docs/search.md). Each rule is
    accounts.profile's, asked again by the service."""

    studio_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    city = serializers.CharField(max_length=80, required=False, allow_blank=True, help_text="Default Улаанбаатар.")
    district = serializers.ChoiceField(
        choices=District.choices,
        required=False,
        allow_blank=True,
        help_text="One of Ulaanbaatar's nine districts, or empty.",
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    price_from = _price_field("Whole MNT: the smallest piece; null when not said.")
    hourly_rate = _price_field("Whole MNT, or null.")
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=SpokenLanguage.choices),
        max_length=20,
        required=False,
        help_text="A subset of mn, en, ru, zh, ko, ja (duplicates dropped).",
    )
    instagram = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="A handle, [A-Za-z0-9._]{1,30} (a leading @ is dropped); empty removes it.",
    )
    booking_mode = serializers.ChoiceField(choices=BookingMode.choices, required=False)
    heal_days = serializers.IntegerField(
        min_value=14, max_value=90, required=False, help_text="Days between two sessions of one piece."
    )
    avatar_url = serializers.CharField(
        max_length=1024,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The `publicUrl` of an upload to the `avatars` folder, after the PUT; empty or null removes it.",
    )
    aftercare_text = serializers.CharField(max_length=4000, required=False, allow_blank=True)

    def validate_price_from(self, value):
        _field_rule(price_problem(value))
        return value

    def validate_hourly_rate(self, value):
        _field_rule(price_problem(value))
        return value

    def validate_instagram(self, value: str) -> str:
        value = normalize_instagram(value)
        _field_rule(profile_problems({"instagram": value}).get("instagram"))
        return value


class UserSerializer(serializers.ModelSerializer):
    tattooist = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "name",
            "email",
            "role",
            "created_at",
            "email_verified",
            "reminders_enabled",
            "aftercare_enabled",
            "language",
            "tattooist",
        ]
        read_only_fields = fields

    email_verified = serializers.BooleanField(read_only=True)

    def get_tattooist(self, user: User) -> dict | None:
        profile = getattr(user, "tattooist", None) if user.role == Role.TATTOOIST else None
        return TattooistProfileSerializer(profile).data if profile else None

    # drf-spectacular: document the nullable nested profile
    get_tattooist.__annotations__["return"] = TattooistProfileSerializer(allow_null=True)


def _password_min_length() -> int:
    """What Django's MinimumLengthValidator enforces (settings.AUTH_PASSWORD_VALIDATORS)."""
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith(".MinimumLengthValidator"):
            return int(validator.get("OPTIONS", {}).get("min_length", 8))
    return 1


def new_password_field() -> serializers.CharField:
    """A new password: at least the length Django's validator asks (also the OpenAPI minLength);
    the service runs every password validator (a common password → 400 with their messages)."""
    return serializers.CharField(
        min_length=_password_min_length(), max_length=128, trim_whitespace=False, write_only=True
    )


# A mailed token (accounts/tokens.py): a signed value in URL-safe base64 pieces joined by ":".
TOKEN_PATTERN = r"^[A-Za-z0-9_.:-]+$"  # noqa: S105 (a token's alphabet, not a secret)

# The roles a person may sign up for (staff accounts are made by staff: user_signup refuses others).
SIGNUP_ROLES = [(Role.CUSTOMER.value, Role.CUSTOMER.label), (Role.TATTOOIST.value, Role.TATTOOIST.label)]


class SignupSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, validators=[validate_person_name])
    email = serializers.EmailField(max_length=254)
    password = new_password_field()
    role = serializers.ChoiceField(choices=SIGNUP_ROLES)
    bio = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Staff only: the 6-digit code from the authenticator app (401 `otp_required` without it).",
    )


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2000)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AuthResultSerializer(TokenPairSerializer):
    user = UserSerializer()


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class MeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False, validators=[validate_person_name])
    reminders_enabled = serializers.BooleanField(
        required=False, help_text="Session reminders by mail; transactional mails cannot be turned off."
    )
    aftercare_enabled = serializers.BooleanField(
        required=False, help_text="Aftercare mails after a completed session (day 0, 3 and 21)."
    )
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text="The language of pages, mails and API messages for this account: `mn` or `en`.",
        error_messages={"invalid_choice": _("Choose Mongolian (mn) or English (en).")},
    )


class TokenSerializer(serializers.Serializer):
    token = documented(
        serializers.CharField(max_length=1000, help_text="The `token` parameter of the mailed link."),
        type="string",
        minLength=1,
        maxLength=1000,
        pattern=TOKEN_PATTERN,
    )


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)


class PasswordResetConfirmSerializer(TokenSerializer):
    password = new_password_field()


class AcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()
