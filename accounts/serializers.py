from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Language, Role, Tattooist, User, validate_person_name
from tattoo.core.schema import documented


class TattooistProfileSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)

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
        ]
        read_only_fields = fields


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
TOKEN_PATTERN = r"^[A-Za-z0-9_.:-]+$"

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
