from datetime import timedelta

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tattoo.core import l10n
from tattoo.core.models import TimeStampedModel, status_check


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Availability(models.Model):
    """A weekly window in the artist's local wall-clock time."""

    class Day(models.IntegerChoices):
        SUNDAY = 0, _("Sunday")
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")

    tattooist = models.ForeignKey(
        "accounts.Tattooist", verbose_name=_("tattooist"), on_delete=models.CASCADE, related_name="availability"
    )
    day = models.PositiveSmallIntegerField(
        verbose_name=_("day"), choices=Day.choices
    )  # 0 = Sunday, as PostgreSQL's dow
    start_time = models.TimeField(verbose_name=_("start time"))
    end_time = models.TimeField(verbose_name=_("end time"))

    class Meta:
        db_table = "availability"
        verbose_name = _("working hours window")
        verbose_name_plural = _("working hours")
        ordering = ["day", "start_time"]
        indexes = [models.Index(fields=["tattooist", "day"], name="availability_tattooist_day_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(day__gte=0, day__lte=6), name="availability_day_range"),
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="availability_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_day_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class TimeOff(models.Model):
    tattooist = models.ForeignKey(
        "accounts.Tattooist", verbose_name=_("tattooist"), on_delete=models.CASCADE, related_name="time_off"
    )
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    reason = models.CharField(verbose_name=_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "time_off"
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["tattooist", "starts_at"], name="time_off_tattooist_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="time_off_end_after_start"),
        ]

    def __str__(self) -> str:
        # The admin's object name (titles, breadcrumbs, messages), in the reader's language; UTC
        # there, as the admin's own date fields show it.
        return gettext("time off %(start)s – %(end)s") % {
            "start": l10n.short_datetime(self.starts_at, "UTC"),
            "end": l10n.short_datetime(self.ends_at, "UTC"),
        }


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # created, deposit not yet paid; holds the slot until hold_expires_at
    CONFIRMED = "confirmed", _("Confirmed")  # deposit paid (or confirmed by the artist)
    COMPLETED = "completed", _("Completed")  # the session took place
    CANCELLED = "cancelled", _("Cancelled")  # called off by a party or staff; frees the slot
    EXPIRED = "expired", _("Expired")  # the unpaid hold ran out; frees the slot
    DISPUTED = "disputed", _("Disputed")  # under a dispute; left only through its resolution
    NO_SHOW = "no_show", _("No-show")  # the customer did not come (set by the artist after the start); deposit kept


ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.DISPUTED)
# The bookings that keep their time from everyone else (the exclusion constraint's condition): the
# live ones, except a dispute of a session that is over (completed or no-show), which is about money
# and does not take back a time others may have booked since (docs/deposits.md, "Disputes and the slot").
SLOT_HOLDING = Q(status__in=[s.value for s in ACTIVE_STATUSES], holds_slot=True)
# The longest a booking may last (the CHECK bookings_at_most_12_hours): a booking that overlaps an
# interval starts less than this before it, which bounds index scans on (tattooist, slot).
MAX_BOOKING_LENGTH = timedelta(hours=12)


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")  # no invoice yet
    PENDING = "pending", pgettext_lazy("payment", "Pending")  # an invoice is open
    PAID = "paid", _("Paid")  # deposit received in full
    REFUNDED = "refunded", _("Refunded")  # all of the deposit returned
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")  # part of it returned


class DepositRole(models.TextChoices):
    """What a booking's deposit does when its session is over (docs/deposits.md, "Projects"): the
    policy reads it, so the payments app never needs to know about projects."""

    OWN = "own", _("Its own deposit")  # a direct booking: completed → kept, it counts toward the price
    APPLY = "apply", _("Applied to this session")  # a project's deposit, applied when this session is completed
    CARRY = "carry", _("Held for the last session")  # a project's deposit paid here, applied to its last session
    NONE = "none", _("No deposit of its own")  # a later session of a project: the project's deposit covers it


def _word(choices: type[models.TextChoices], value: str) -> str:
    """A choice as a word inside a sentence, in the active language ("no-show", "цуцлагдсан"):
    messages never show the raw code; an unknown value is shown as it is."""
    try:
        return str(choices(value).label).lower()
    except ValueError:
        return value


def status_word(value: str) -> str:
    return _word(BookingStatus, value)


def payment_status_word(value: str) -> str:
    return _word(PaymentStatus, value)


class Booking(TimeStampedModel):
    customer = models.ForeignKey(
        "accounts.User", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="bookings"
    )
    tattooist = models.ForeignKey(
        "accounts.Tattooist", verbose_name=_("tattooist"), on_delete=models.PROTECT, related_name="bookings"
    )
    slot = models.DateTimeField(verbose_name=_("slot"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    deposit_amount = models.DecimalField(verbose_name=_("deposit amount"), max_digits=12, decimal_places=2)
    payment_status = models.CharField(
        verbose_name=_("payment status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    notes = models.TextField(verbose_name=_("notes"), blank=True, max_length=2000)
    hold_expires_at = models.DateTimeField(verbose_name=_("hold expires at"), null=True, blank=True)
    # Moves the customer made (BOOKING_FREE_RESCHEDULES allows so many); the artist's and staff's
    # moves are not counted.
    # A database default too: raw inserts, and app servers still on the old code while the
    # migration runs, leave the column out.
    customer_reschedules = models.PositiveSmallIntegerField(
        verbose_name=_("customer reschedules"), default=0, db_default=0
    )
    # The artist's deposit policy when the booking was made (docs/deposits.md): a later change of
    # the artist's setting does not change what this customer agreed to.
    deposit_refundable_hours = models.PositiveSmallIntegerField(
        verbose_name=_("deposit refundable hours"), default=48, db_default=48
    )
    # Until when the customer's cancel refunds the deposit in full, fixed when the first money
    # arrived (bookings/deposit_window.py); null before: the deadline then follows the start.
    refundable_until = models.DateTimeField(verbose_name=_("refundable until"), null=True, blank=True)
    # False only for a disputed booking whose session was over (completed, no-show) when the
    # dispute opened: it holds no time (SLOT_HOLDING). A dispute resolved to `confirmed` takes the
    # time back, if it is still free.
    holds_slot = models.BooleanField(verbose_name=_("holds its slot"), default=True, db_default=True)
    # What the deposit does once the session is over (DepositRole): set when the booking is made,
    # `own` for every direct booking; a project's sessions get the others (consultations/).
    deposit_role = models.CharField(
        verbose_name=_("deposit role"),
        max_length=8,
        choices=DepositRole.choices,
        default=DepositRole.OWN,
        db_default=DepositRole.OWN,
    )

    class Meta:
        db_table = "bookings"
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["tattooist", "slot"], name="bookings_tattooist_slot_idx"),
            models.Index(fields=["customer", "-created_at"], name="bookings_customer_created_idx"),
            models.Index(fields=["status", "hold_expires_at"], name="bookings_status_hold_idx"),
            models.Index(fields=["-created_at", "-id"], name="bookings_created_idx"),
            # The artist list's free times read the active bookings of many artists over a few
            # days at once (search.selectors, bench/search.py): one range scan of this small index
            # instead of one probe of (tattooist, slot) per artist.
            models.Index(
                fields=["slot"],
                include=["tattooist", "ends_at"],
                condition=Q(status__in=[s.value for s in ACTIVE_STATUSES]),
                name="bookings_active_slot_idx",
            ),
        ]
        constraints = [
            ExclusionConstraint(
                name="bookings_no_overlap",
                expressions=[
                    ("tattooist", RangeOperators.EQUAL),
                    (TsTzRange("slot", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=SLOT_HOLDING,
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("slot")), name="bookings_end_after_start"),
            models.CheckConstraint(
                condition=Q(ends_at__lte=F("slot") + MAX_BOOKING_LENGTH),
                name="bookings_at_most_12_hours",
            ),
            models.CheckConstraint(condition=Q(deposit_amount__gte=0), name="bookings_deposit_nonneg"),
            status_check("status", BookingStatus, "bookings_status_valid"),
            status_check("payment_status", PaymentStatus, "bookings_payment_status_valid"),
            status_check("deposit_role", DepositRole, "bookings_deposit_role_valid"),
        ]

    def __str__(self) -> str:
        return gettext("booking #%(number)s (%(status)s)") % {"number": self.pk, "status": status_word(self.status)}

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_holding_slot(self) -> bool:
        return self.is_active and self.holds_slot


class BookingEvent(models.Model):
    """The audit trail: one row per status or payment-status move, written with the move."""

    booking = models.ForeignKey(Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    from_status = models.CharField(verbose_name=_("from status"), max_length=16, blank=True)
    to_status = models.CharField(verbose_name=_("to status"), max_length=16, blank=True)
    from_payment_status = models.CharField(verbose_name=_("from payment status"), max_length=20, blank=True)
    to_payment_status = models.CharField(verbose_name=_("to payment status"), max_length=20, blank=True)
    note = models.TextField(verbose_name=_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "booking_events"
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["booking", "created_at"], name="booking_events_booking_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status="") | Q(from_status__in=BookingStatus.values),
                name="booking_events_from_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(to_status="") | Q(to_status__in=BookingStatus.values),
                name="booking_events_to_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(from_payment_status="") | Q(from_payment_status__in=PaymentStatus.values),
                name="booking_events_from_pay_valid",
            ),
            models.CheckConstraint(
                condition=Q(to_payment_status="") | Q(to_payment_status__in=PaymentStatus.values),
                name="booking_events_to_pay_valid",
            ),
        ]

    def __str__(self) -> str:
        return gettext("booking #%(number)s: %(before)s → %(after)s") % {
            "number": self.booking_id,
            "before": status_word(self.from_status) if self.from_status else "-",
            "after": status_word(self.to_status) if self.to_status else "-",
        }

    @property
    def note_display(self) -> str:
        """The note in the reader's language where a flow wrote it (bookings/event_notes.py), its
        moments on the booking's clock (the booking page loads the booking with its events)."""
        from bookings.event_notes import note_display

        return note_display(self.note, self.booking.tattooist.timezone)

    # The moves in the reader's language (the booking page's history); None where a side is empty.
    @property
    def from_status_label(self):
        return BookingStatus(self.from_status).label if self.from_status else None

    @property
    def to_status_label(self):
        return BookingStatus(self.to_status).label if self.to_status else None

    @property
    def from_payment_status_label(self):
        return PaymentStatus(self.from_payment_status).label if self.from_payment_status else None

    @property
    def to_payment_status_label(self):
        return PaymentStatus(self.to_payment_status).label if self.to_payment_status else None


class ConsentRecord(models.Model):
    """The customer's signed consent for one booking's session (bookings/consent.py).

    What the customer wrote (date of birth, the health answers, the typed signature, the flags they
    raise) is health data: only a MultiFernet token of it is stored (`sealed`, tattoo/core/crypto.py),
    never the text, so the database, its dumps and replicas hold none of it. `key_id` names the key
    that sealed it (the re-encrypt command moves old ones to the first key). Deleted with its answers
    CONSENT_RETENTION_DAYS after the session by a daily job."""

    booking = models.OneToOneField(Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="consent")
    form_version = models.PositiveSmallIntegerField(verbose_name=_("form version"), default=1)
    sealed = models.TextField(verbose_name=_("encrypted answers"), editable=False)
    key_id = models.CharField(verbose_name=_("key id"), max_length=16, editable=False)
    signed_at = models.DateTimeField(verbose_name=_("signed at"))

    class Meta:
        db_table = "consent_records"
        verbose_name = _("signed consent")
        verbose_name_plural = _("signed consents")
        indexes = [models.Index(fields=["key_id"], name="consent_records_key_idx")]

    def __str__(self) -> str:
        return gettext("consent for booking #%(number)s") % {"number": self.booking_id}
