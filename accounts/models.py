from __future__ import annotations

import secrets
import unicodedata
import zoneinfo
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast, Collate, Lower, NullIf, Round
from django.utils.translation import gettext_lazy as _

from tattoo.core.models import TimeStampedModel, status_check


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
    # Aftercare mails after a completed session (day 0, 3 and 21: reviews/aftercare.py).
    aftercare_enabled = models.BooleanField(verbose_name=_("aftercare mails enabled"), default=True, db_default=True)
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


# --- the public profile (docs/search.md) -------------------------------------------------------


class District(models.TextChoices):
    """Ulaanbaatar's nine districts (düüreg); an artist elsewhere leaves it empty and names the city."""

    BAYANGOL = "bayangol", _("Bayangol")
    BAYANZURKH = "bayanzurkh", _("Bayanzurkh")
    CHINGELTEI = "chingeltei", _("Chingeltei")
    KHAN_UUL = "khan_uul", _("Khan-Uul")
    SONGINOKHAIRKHAN = "songinokhairkhan", _("Songinokhairkhan")
    SUKHBAATAR = "sukhbaatar", _("Sukhbaatar")
    NALAIKH = "nalaikh", _("Nalaikh")
    BAGANUUR = "baganuur", _("Baganuur")
    BAGAKHANGAI = "bagakhangai", _("Bagakhangai")


class SpokenLanguage(models.TextChoices):
    """The languages an artist can hold a consultation in (the product itself speaks mn and en)."""

    MN = "mn", _("Mongolian")
    EN = "en", _("English")
    RU = "ru", _("Russian")
    ZH = "zh", _("Chinese")
    KO = "ko", _("Korean")
    JA = "ja", _("Japanese")


class BookingMode(models.TextChoices):
    DIRECT = "direct", _("Direct booking")  # customers pick a free time and pay the deposit
    REQUEST = "request", _("Custom requests only")  # customers describe the idea first; the artist quotes
    BOTH = "both", _("Both: direct booking and custom requests")  # either way


DEFAULT_CITY = "Улаанбаатар"
HEAL_DAYS = (14, 90)  # the shortest and the longest healing time between two sessions of one piece
INSTAGRAM_HANDLE = r"^[A-Za-z0-9._]{1,30}$"


def list_of_mongolian() -> list[str]:
    return [SpokenLanguage.MN.value]


class Tattooist(TimeStampedModel):
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
    # The public profile (docs/search.md; written by accounts.profile.tattooist_update_profile).
    studio_name = models.CharField(verbose_name=_("studio name"), max_length=120, blank=True, default="", db_default="")
    city = models.CharField(
        verbose_name=_("city"), max_length=80, blank=True, default=DEFAULT_CITY, db_default=DEFAULT_CITY
    )
    district = models.CharField(
        verbose_name=_("district"), max_length=20, choices=District.choices, blank=True, default="", db_default=""
    )
    address = models.CharField(verbose_name=_("address"), max_length=300, blank=True, default="", db_default="")
    # Whole MNT: the smallest piece the artist takes, and the hourly rate for large work (null: not said).
    price_from = models.DecimalField(
        verbose_name=_("price from"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    hourly_rate = models.DecimalField(
        verbose_name=_("hourly rate"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    languages = ArrayField(
        models.CharField(max_length=2, choices=SpokenLanguage.choices),
        verbose_name=_("languages"),
        default=list_of_mongolian,
        db_default=Value([SpokenLanguage.MN.value], output_field=ArrayField(models.CharField(max_length=2))),
        blank=True,
        size=len(SpokenLanguage.values),
    )
    instagram = models.CharField(
        verbose_name=_("Instagram handle"),
        max_length=30,
        blank=True,
        default="",
        db_default="",
    )
    booking_mode = models.CharField(
        verbose_name=_("booking mode"),
        max_length=10,
        choices=BookingMode.choices,
        default=BookingMode.BOTH,
        db_default=BookingMode.BOTH,
    )
    heal_days = models.PositiveSmallIntegerField(
        verbose_name=_("heal days"),
        default=21,
        db_default=21,
        validators=[MinValueValidator(HEAL_DAYS[0]), MaxValueValidator(HEAL_DAYS[1])],
    )
    # The attached copy of an upload of folder `avatars` (tattoo/core/uploads/); its key is
    # deleted with the record or when another avatar replaces it.
    avatar_url = models.URLField(
        verbose_name=_("avatar URL"), max_length=1024, blank=True, default="", db_default="", editable=False
    )
    avatar_key = models.CharField(
        verbose_name=_("avatar key"), max_length=512, blank=True, default="", db_default="", editable=False
    )
    # The served copy's size and its WebP variants, as tattoo.core.models.ImageFields keeps them for
    # `image_*` (the image kind "avatars" reads `avatar_*`: tattoo/core/images.py).
    avatar_width = models.PositiveIntegerField(verbose_name=_("avatar width"), null=True, blank=True, editable=False)
    avatar_height = models.PositiveIntegerField(verbose_name=_("avatar height"), null=True, blank=True, editable=False)
    avatar_variants = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("avatar variants"),
        default=list,
        db_default=Value([], output_field=ArrayField(models.PositiveSmallIntegerField())),
        blank=True,
        editable=False,
    )
    aftercare_text = models.TextField(
        verbose_name=_("aftercare text"), blank=True, default="", max_length=4000, db_default=""
    )
    # Reviews (a later issue) keep these two up to date atomically; the average is derived by the
    # database, so it can never disagree with them (null without reviews).
    rating_count = models.PositiveIntegerField(verbose_name=_("rating count"), default=0, db_default=0, editable=False)
    rating_sum = models.PositiveIntegerField(verbose_name=_("rating sum"), default=0, db_default=0, editable=False)
    rating_average = models.GeneratedField(
        verbose_name=_("rating average"),
        expression=Round(
            Cast(F("rating_sum"), models.DecimalField(max_digits=12, decimal_places=4)) / NullIf(F("rating_count"), 0),
            1,
        ),
        output_field=models.DecimalField(max_digits=2, decimal_places=1),
        db_persist=True,
    )

    class Meta:
        db_table = "tattooists"
        verbose_name = _("tattooist")
        verbose_name_plural = _("tattooists")
        indexes = [
            models.Index(fields=["approved"], name="tattooists_approved_idx"),
            # the list's sorts (docs/search.md): best rated, cheapest, newest
            models.Index(
                F("rating_average").desc(nulls_last=True),
                F("rating_count").desc(),
                "id",
                name="tattooists_rating_idx",
                condition=Q(approved=True),
            ),
            models.Index(
                F("price_from").asc(nulls_last=True), "id", name="tattooists_price_idx", condition=Q(approved=True)
            ),
            models.Index(
                F("created_at").desc(), F("id").desc(), name="tattooists_newest_idx", condition=Q(approved=True)
            ),
        ]
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
            models.CheckConstraint(condition=Q(district__in=[*District.values, ""]), name="tattooists_district_valid"),
            status_check("booking_mode", BookingMode, "tattooists_booking_mode_valid"),
            models.CheckConstraint(
                condition=Q(heal_days__gte=HEAL_DAYS[0], heal_days__lte=HEAL_DAYS[1]), name="tattooists_heal_days_range"
            ),
            models.CheckConstraint(
                condition=Q(languages__contained_by=SpokenLanguage.values), name="tattooists_languages_valid"
            ),
            # A handle without its "@", or empty (accounts/profile.py normalises what people paste).
            models.CheckConstraint(
                condition=Q(instagram__regex=r"^[A-Za-z0-9._]{0,30}$"), name="tattooists_instagram_handle"
            ),
            # NULL (not said) passes a CHECK; a negative price does not.
            models.CheckConstraint(condition=Q(price_from__gte=0, hourly_rate__gte=0), name="tattooists_prices_nonneg"),
            models.CheckConstraint(
                condition=Q(rating_sum__gte=F("rating_count"), rating_sum__lte=5 * F("rating_count")),
                name="tattooists_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return self.user.name

    @property
    def city_name(self) -> str:
        """The city in the active language when it is the default one (the contract's default is
        written in Cyrillic), else as the artist wrote it."""
        return str(_("Ulaanbaatar")) if self.city == DEFAULT_CITY else self.city

    @property
    def language_names(self) -> list[str]:
        """The spoken languages, named in the active language."""
        return [str(SpokenLanguage(code).label) for code in self.languages if code in SpokenLanguage.values]

    def clean(self) -> None:
        # The admin's form keeps the profile's rules too (accounts/profile.py is their home).
        from accounts.profile import PROFILE_FIELDS, normalize_instagram, profile_problems

        super().clean()
        self.instagram = normalize_instagram(self.instagram)
        problems = profile_problems({field: getattr(self, field) for field in PROFILE_FIELDS})
        if problems:
            raise ValidationError({field: [message] for field, message in problems.items()})
