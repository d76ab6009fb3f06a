"""Custom work (docs/consultations.md): a customer's consultation request, the artist's quotes, and
the project of one or more sessions an accepted quote starts.

Every status is a TextChoices with a CHECK constraint; the moves are one table each in
consultations/transitions.py, each written with its audit row (ConsultationEvent).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tattoo.core.models import ImageFields, TimeStampedModel, status_check

SIZE_CM = (1, 200)  # width and height of a piece, in whole centimetres
SESSIONS = (1, 20)  # sessions a quote may plan
PROPOSED_STARTS = (1, 5)  # starts a quote proposes


class Placement(models.TextChoices):
    FOREARM = "forearm", _("Forearm")
    UPPER_ARM = "upper_arm", _("Upper arm")
    SHOULDER = "shoulder", _("Shoulder")
    CHEST = "chest", _("Chest")
    BACK = "back", _("Back")
    RIBS = "ribs", _("Ribs")
    STOMACH = "stomach", _("Stomach")
    HIP = "hip", _("Hip")
    THIGH = "thigh", _("Thigh")
    CALF = "calf", _("Calf")
    ANKLE = "ankle", _("Ankle")
    FOOT = "foot", _("Foot")
    HAND = "hand", _("Hand")
    FINGER = "finger", _("Finger")
    NECK = "neck", _("Neck")
    HEAD = "head", _("Head")
    OTHER = "other", _("Elsewhere")


class Colour(models.TextChoices):
    BLACK_GREY = "black_grey", _("Black and grey")
    COLOUR = "colour", _("Colour")


class ConsultationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the artist")  # open: no open quote (new, or the last one declined)
    QUOTED = "quoted", _("Quoted")  # open: a quote waits for the customer
    ACCEPTED = "accepted", _("Accepted")  # a quote was accepted: the project goes on from here
    DECLINED = "declined", _("Declined by the artist")  # the artist said no, with a reason
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the customer took it back
    EXPIRED = "expired", _("Quote expired")  # the open quote ran out; the artist may quote again


# Requests that count toward the customer's limit of open requests, and that take quotes/messages.
OPEN_CONSULTATION = (ConsultationStatus.SUBMITTED, ConsultationStatus.QUOTED)
ANSWERABLE_CONSULTATION = (ConsultationStatus.SUBMITTED, ConsultationStatus.QUOTED, ConsultationStatus.EXPIRED)
CLOSED_CONSULTATION = (ConsultationStatus.DECLINED, ConsultationStatus.WITHDRAWN)


class QuoteStatus(models.TextChoices):
    OPEN = "open", _("Open")  # waits for the customer until expires_at
    SUPERSEDED = "superseded", _("Replaced by a newer quote")  # the artist sent another one
    ACCEPTED = "accepted", _("Accepted")  # the customer took it: a project and its first booking exist
    DECLINED = "declined", _("Declined by the customer")
    EXPIRED = "expired", _("Expired")  # nobody answered by expires_at (the expiry job)
    WITHDRAWN = "withdrawn", _("Request closed")  # the request was withdrawn or declined while it was open


class DepositAppliesTo(models.TextChoices):
    FIRST = "first", _("The first session")
    LAST = "last", _("The last session")


class ProjectStatus(models.TextChoices):
    AWAITING_DEPOSIT = "awaiting_deposit", _("Waiting for the deposit")  # the first session is an unpaid hold
    ACTIVE = "active", _("In progress")  # the deposit is paid: sessions are booked and done
    COMPLETED = "completed", _("Completed")  # every planned session is over
    CANCELLED = "cancelled", _("Cancelled")  # by a party or staff, or its first session never happened


class Consultation(TimeStampedModel):
    customer = models.ForeignKey(
        "accounts.User", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="consultations"
    )
    tattooist = models.ForeignKey(
        "accounts.Tattooist", verbose_name=_("tattooist"), on_delete=models.PROTECT, related_name="consultations"
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.SUBMITTED,
    )
    description = models.TextField(verbose_name=_("description"), max_length=4000)
    placement = models.CharField(verbose_name=_("placement"), max_length=16, choices=Placement.choices)
    width_cm = models.PositiveSmallIntegerField(verbose_name=_("width (cm)"))
    height_cm = models.PositiveSmallIntegerField(verbose_name=_("height (cm)"))
    colour = models.CharField(verbose_name=_("colour"), max_length=16, choices=Colour.choices)
    budget_max = models.DecimalField(
        verbose_name=_("budget up to"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    availability_note = models.CharField(verbose_name=_("availability"), max_length=1000, blank=True)
    # Checked at 18 or over on the day of the request (in the artist's zone); shown to nobody.
    date_of_birth = models.DateField(verbose_name=_("date of birth"))
    # The artist's first answer (a message, a quote or a decline): the response-time figures read it.
    first_answered_at = models.DateTimeField(verbose_name=_("first answered at"), null=True, blank=True)

    class Meta:
        db_table = "consultations"
        verbose_name = _("consultation request")
        verbose_name_plural = _("consultation requests")
        indexes = [
            models.Index(F("tattooist"), F("created_at").desc(), F("id").desc(), name="consultations_artist_idx"),
            models.Index(F("customer"), F("created_at").desc(), F("id").desc(), name="consultations_customer_idx"),
            models.Index(F("created_at").desc(), F("id").desc(), name="consultations_created_idx"),
        ]
        constraints = [
            status_check("status", ConsultationStatus, "consultations_status_valid"),
            status_check("placement", Placement, "consultations_placement_valid"),
            status_check("colour", Colour, "consultations_colour_valid"),
            models.CheckConstraint(
                condition=Q(width_cm__gte=SIZE_CM[0], width_cm__lte=SIZE_CM[1])
                & Q(height_cm__gte=SIZE_CM[0], height_cm__lte=SIZE_CM[1]),
                name="consultations_size_range",
            ),
            models.CheckConstraint(condition=Q(budget_max__gte=0), name="consultations_budget_nonneg"),
        ]

    def __str__(self) -> str:
        return gettext("consultation request #%(number)s") % {"number": self.pk}


class ConsultationMessage(models.Model):
    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation request"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey("accounts.User", verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    # Blank only with photos (consultations.services).
    body = models.TextField(verbose_name=_("message"), max_length=4000, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "consultation_messages"
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["consultation", "created_at"], name="consultation_messages_idx")]

    def __str__(self) -> str:
        return gettext("message #%(number)s") % {"number": self.pk}


class ConsultationImage(ImageFields):
    """A reference or placement photo of a request (`message` empty) or of a message: private, the
    image kind "consultations" (docs/images.md); only the parties and staff get signed URLs."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation request"), on_delete=models.CASCADE, related_name="images"
    )
    message = models.ForeignKey(
        ConsultationMessage,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="images",
    )
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    image_url = models.URLField(verbose_name=_("image URL"), max_length=1024)
    image_key = models.CharField(verbose_name=_("image key"), max_length=512, unique=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "consultation_images"
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["consultation", "message"], name="consultation_images_idx")]

    def __str__(self) -> str:
        return gettext("photo #%(number)s") % {"number": self.pk}


class Quote(models.Model):
    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation request"), on_delete=models.CASCADE, related_name="quotes"
    )
    version = models.PositiveSmallIntegerField(verbose_name=_("version"))  # 1, 2, ... within its request
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.OPEN
    )
    price_min = models.DecimalField(verbose_name=_("price from"), max_digits=12, decimal_places=2)
    price_max = models.DecimalField(verbose_name=_("price up to"), max_digits=12, decimal_places=2)
    sessions = models.PositiveSmallIntegerField(verbose_name=_("sessions"))
    session_minutes = models.PositiveIntegerField(verbose_name=_("session minutes"))
    deposit_amount = models.DecimalField(verbose_name=_("deposit amount"), max_digits=12, decimal_places=2)
    deposit_applies_to = models.CharField(
        verbose_name=_("deposit applies to"), max_length=8, choices=DepositAppliesTo.choices
    )
    proposed_slots = ArrayField(models.DateTimeField(), verbose_name=_("proposed starts"), size=PROPOSED_STARTS[1])
    note = models.TextField(verbose_name=_("note"), max_length=2000, blank=True)
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(verbose_name=_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "quotes"
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["consultation", "version"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "version"], name="quotes_version_unique"),
            # A new quote supersedes the open one in the same transaction: never two open at once.
            models.UniqueConstraint(
                fields=["consultation"], condition=Q(status="open"), name="quotes_one_open_per_consultation"
            ),
            status_check("status", QuoteStatus, "quotes_status_valid"),
            status_check("deposit_applies_to", DepositAppliesTo, "quotes_deposit_applies_to_valid"),
            models.CheckConstraint(
                condition=Q(price_min__gte=0) & Q(price_max__gte=F("price_min")), name="quotes_price_range"
            ),
            models.CheckConstraint(
                condition=Q(deposit_amount__gt=0) & Q(deposit_amount__lte=F("price_max")), name="quotes_deposit_range"
            ),
            models.CheckConstraint(
                condition=Q(sessions__gte=SESSIONS[0], sessions__lte=SESSIONS[1]), name="quotes_sessions_range"
            ),
            models.CheckConstraint(
                condition=Q(session_minutes__gte=15, session_minutes__lte=720), name="quotes_session_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return gettext("quote #%(number)s") % {"number": self.pk}


class Project(TimeStampedModel):
    """The work an accepted quote starts: `sessions_planned` sessions of `session_minutes`, the
    deposit paid with the first and applied to the first or the last (docs/deposits.md)."""

    consultation = models.OneToOneField(
        Consultation, verbose_name=_("consultation request"), on_delete=models.PROTECT, related_name="project"
    )
    quote = models.OneToOneField(Quote, verbose_name=_("quote"), on_delete=models.PROTECT, related_name="project")
    customer = models.ForeignKey(
        "accounts.User", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="projects"
    )
    tattooist = models.ForeignKey(
        "accounts.Tattooist", verbose_name=_("tattooist"), on_delete=models.PROTECT, related_name="projects"
    )
    sessions_planned = models.PositiveSmallIntegerField(verbose_name=_("sessions planned"))
    session_minutes = models.PositiveIntegerField(verbose_name=_("session minutes"))
    deposit_amount = models.DecimalField(verbose_name=_("deposit amount"), max_digits=12, decimal_places=2)
    deposit_applies_to = models.CharField(
        verbose_name=_("deposit applies to"), max_length=8, choices=DepositAppliesTo.choices
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.AWAITING_DEPOSIT,
    )

    class Meta:
        db_table = "projects"
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["tattooist", "status"], name="projects_tattooist_idx"),
            models.Index(fields=["customer", "status"], name="projects_customer_idx"),
        ]
        constraints = [
            status_check("status", ProjectStatus, "projects_status_valid"),
            status_check("deposit_applies_to", DepositAppliesTo, "projects_deposit_applies_to_valid"),
            models.CheckConstraint(
                condition=Q(sessions_planned__gte=SESSIONS[0], sessions_planned__lte=SESSIONS[1]),
                name="projects_sessions_range",
            ),
            models.CheckConstraint(condition=Q(deposit_amount__gt=0), name="projects_deposit_positive"),
        ]

    def __str__(self) -> str:
        return gettext("project #%(number)s") % {"number": self.pk}


class ProjectSession(models.Model):
    """One booking of a project: `seq` 1 is the first (it carries the deposit); a cancelled session
    keeps its row and its number is booked again."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="sessions")
    seq = models.PositiveSmallIntegerField(verbose_name=_("session number"))
    booking = models.OneToOneField(
        "bookings.Booking", verbose_name=_("booking"), on_delete=models.PROTECT, related_name="project_session"
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "project_sessions"
        verbose_name = _("project session")
        verbose_name_plural = _("project sessions")
        ordering = ["project", "seq", "created_at", "id"]
        indexes = [models.Index(fields=["project", "seq"], name="project_sessions_idx")]
        constraints = [models.CheckConstraint(condition=Q(seq__gte=1), name="project_sessions_seq_positive")]

    def __str__(self) -> str:
        return gettext("session %(number)s of project #%(project)s") % {"number": self.seq, "project": self.project_id}


class Subject(models.TextChoices):
    CONSULTATION = "consultation", _("consultation request")
    QUOTE = "quote", _("quote")
    PROJECT = "project", _("project")


class ConsultationEvent(models.Model):
    """The audit trail of custom work: one row per status move of a request, a quote or a project
    (and per session booked), written with the move (consultations/transitions.py)."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation request"), on_delete=models.CASCADE, related_name="events"
    )
    subject = models.CharField(verbose_name=_("subject"), max_length=16, choices=Subject.choices)
    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(verbose_name=_("from status"), max_length=20, blank=True)
    to_status = models.CharField(verbose_name=_("to status"), max_length=20, blank=True)
    note = models.CharField(verbose_name=_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "consultation_events"
        verbose_name = _("custom work event")
        verbose_name_plural = _("custom work events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["consultation", "created_at"], name="consultation_events_idx")]
        constraints = [status_check("subject", Subject, "consultation_events_subject_valid")]

    def __str__(self) -> str:
        return f"{self.subject} {self.from_status or '-'} → {self.to_status or '-'}"
