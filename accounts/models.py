from __future__ import annotations

import secrets
import unicodedata
import zoneinfo
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Collate, Lower
from django.utils.translation import gettext_lazy as _

from tattoo.core.models import status_check


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")  # books sessions and pays deposits
    TATTOOIST = "tattooist", _("Tattooist")  # publishes a portfolio and hours, takes bookings
    ADMIN = "admin", _("Admin")  # staff: approves artists, settles disputes


class Language(models.TextChoices):
    """The languages a person reads the product in (settings.LANGUAGES, docs/i18n.md); labels are
    each language's own name, so the select reads the same whatever the page's language."""

    MN = "mn", "Монгол"
    EN = "en", "English"


def normalize_email(email: str | None) -> str:
    """The one spelling of an address: NFKC (fullwidth and compatibility letters such as `ſ` become
    their plain form), then casefold (full Unicode case folding, `ß` -> `ss`). Stored this way, and
    every lookup and the login lockout key use it, so no look-alike spelling reaches an account
    under another key, whatever the database's locale does to UPPER() (docs/security.md)."""
    return unicodedata.normalize("NFKC", (email or "").strip()).casefold()


def email_problem(normalised: str) -> str | None:
    """Why a normalised address cannot be stored (NFKC may lengthen it or make it invalid), or None."""
    from django.core.validators import validate_email

    if len(normalised) > 254:
        return str(_("This address is too long."))
    try:
        validate_email(normalised)
    except ValidationError:
        return str(_("Enter a valid email address."))
    return None


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @staticmethod
    def normalize_email_address(email: str) -> str:
        return normalize_email(email)

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email_address(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        # An exact match on the stored normal form: never UPPER() = UPPER(), which follows the
        # database's locale (docs/security.md).
        return self.get(email=self.normalize_email_address(username or ""))


# A person's name goes into mail subjects, calendar files and other people's pages: it may not hold
# C0 or C1 controls (CR/LF above all: a subject with a line break fails at send time), line or
# paragraph separators, or the bidirectional overrides, embeddings and isolates that reorder the
# text around it (docs/security.md). The pattern is also the OpenAPI document's.
NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+$"
validate_person_name = RegexValidator(
    NAME_PATTERN,
    message=_("Use letters, spaces and punctuation only: no line breaks, control or direction characters."),
    code="invalid_name",
)


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a person's name, or None."""
    try:
        validate_person_name(name)
    except ValidationError as exc:
        return str(exc.messages[0])
    return None


class User(AbstractBaseUser):
    name = models.CharField(verbose_name=_("name"), max_length=120, validators=[validate_person_name])
    # Stored normalised (normalize_email); unique on that form. The check below refuses ASCII
    # capitals written around the manager, in every locale (lower() under the C collation).
    email = models.EmailField(verbose_name=_("email"), max_length=254, unique=True)
    password = models.CharField(_("password"), max_length=128, db_column="password_hash")
    role = models.CharField(verbose_name=_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    # Secret token of the artist's ICS calendar feed; rotated by the artist.
    calendar_token = models.CharField(
        verbose_name=_("calendar token"), max_length=64, default=secrets.token_urlsafe, editable=False
    )
    # When the owner proved the address (the mailed link); customers book only once it is set.
    email_verified_at = models.DateTimeField(verbose_name=_("email verified at"), null=True, blank=True)
    # Session reminders by mail (transactional mails cannot be turned off).
    reminders_enabled = models.BooleanField(verbose_name=_("reminders enabled"), default=True, db_default=True)
    # The language pages, the API and mails use for this person (docs/i18n.md: it beats the
    # switcher's cookie and Accept-Language). Set at signup from the request's language.
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.MN, db_default=Language.MN
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        db_table = "users"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower(Collate("email", "C"))), name="users_email_normalised"
            ),
            status_check("role", Role, "users_role_valid"),
            status_check("language", Language, "users_language_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)  # forms (the admin's) store the one spelling too
        problem = email_problem(self.email)
        if problem:
            raise ValidationError({"email": [problem]})

    # Staff rights follow the role: there is no separate flag that could drift from it.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_admin

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_tattooist(self) -> bool:
        return self.role == Role.TATTOOIST

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(value)r is not a known IANA time zone.") % {"value": value}) from None


# The longest refund window an artist may set: 30 days.
DEPOSIT_REFUNDABLE_HOURS_MAX = 720


class Tattooist(models.Model):
    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="tattooist")
    bio = models.TextField(verbose_name=_("bio"), blank=True, max_length=4000)
    approved = models.BooleanField(verbose_name=_("approved"), default=False)
    approved_at = models.DateTimeField(verbose_name=_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        User,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approved_tattooists",
    )
    approval_note = models.TextField(verbose_name=_("approval note"), blank=True, max_length=1000)
    timezone = models.CharField(
        verbose_name=_("timezone"), max_length=64, default="Asia/Ulaanbaatar", validators=[validate_timezone]
    )
    session_minutes = models.PositiveIntegerField(
        verbose_name=_("session minutes"), default=120, validators=[MinValueValidator(15), MaxValueValidator(12 * 60)]
    )
    min_deposit = models.DecimalField(
        verbose_name=_("min deposit"), max_digits=12, decimal_places=2, default=Decimal("50000.00")
    )
    # The deposit policy (docs/deposits.md): a customer who cancels more than this many hours
    # before the start gets the deposit back in full; later, the artist keeps it.
    deposit_refundable_hours = models.PositiveSmallIntegerField(
        verbose_name=_("deposit refundable hours"),
        default=48,
        db_default=48,
        validators=[MaxValueValidator(DEPOSIT_REFUNDABLE_HOURS_MAX)],
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        db_table = "tattooists"
        verbose_name = _("tattooist")
        verbose_name_plural = _("tattooists")
        indexes = [models.Index(fields=["approved"], name="tattooists_approved_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session_minutes__gte=15, session_minutes__lte=720),
                name="tattooists_session_minutes_range",
            ),
            models.CheckConstraint(condition=models.Q(min_deposit__gte=0), name="tattooists_min_deposit_nonneg"),
            models.CheckConstraint(
                condition=models.Q(deposit_refundable_hours__lte=DEPOSIT_REFUNDABLE_HOURS_MAX),
                name="tattooists_refundable_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return self.user.name
