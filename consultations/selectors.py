"""Reads of custom work: the scoped lists (a constant number of queries whatever their length), one
request with its thread, the response-time and conversion figures, and the free starts the pages
offer (the slot rule's own, bookings/selectors.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Extract
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Tattooist, User
from bookings.selectors import tattooist_slots
from consultations.models import (
    Consultation,
    ConsultationImage,
    ConsultationMessage,
    ConsultationStatus,
    Project,
    ProjectSession,
    Quote,
    QuoteStatus,
)
from payments.models import Payment
from tattoo.core.errors import ApplicationError

RESPONSE_DAYS = 90  # the window of responseHours and the staff report
RESPONSE_MIN_ANSWERS = 3  # fewer answered requests than this: no figure (null)


class Median(Aggregate):
    """PostgreSQL's exact median of a numeric expression (an ordered-set aggregate)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _answer_hours() -> Extract:
    return Extract(F("first_answered_at") - F("created_at"), "epoch") / 3600.0


# --- lists ------------------------------------------------------------------------------------------


def consultation_list_for(*, user: User, status: str | None = None) -> QuerySet[Consultation]:
    """The requests `user` may see, newest first: a customer's own, those sent to an artist,
    everything for staff. Each row carries its counts, its open quote and its project as
    subqueries, so a page of any size is one query (plus the paginator's count)."""
    if status is not None and status not in ConsultationStatus.values:
        raise ApplicationError(
            _("Unknown status %(wanted)r.") % {"wanted": status},
            code="invalid",
            fields={"status": [_("One of: %(choices)s.") % {"choices": ", ".join(ConsultationStatus.values)}]},
        )
    qs = Consultation.objects.all()
    if user.is_admin:
        pass
    elif user.role == Role.TATTOOIST:
        qs = qs.filter(tattooist__user=user)
    elif user.role == Role.CUSTOMER:
        qs = qs.filter(customer=user)
    else:
        qs = qs.none()
    if status:
        qs = qs.filter(status=status)
    open_quote = Quote.objects.filter(consultation=OuterRef("pk"), status=QuoteStatus.OPEN)
    return (
        qs.select_related("customer", "tattooist__user")
        .annotate(
            photo_count=_count(ConsultationImage.objects.filter(consultation=OuterRef("pk"), message=None)),
            message_count=_count(ConsultationMessage.objects.filter(consultation=OuterRef("pk"))),
            open_quote_id=Subquery(open_quote.values("pk")[:1]),
            open_quote_expires_at=Subquery(open_quote.values("expires_at")[:1]),
            project_id=Subquery(Project.objects.filter(consultation=OuterRef("pk")).values("pk")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("consultation").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def consultation_detail(*, consultation: Consultation) -> Consultation:
    """The request with its photos, its thread (each message with its photos and author) and its
    quotes, in four queries."""
    return (
        Consultation.objects.select_related("customer", "tattooist__user")
        .prefetch_related(
            Prefetch("images", queryset=ConsultationImage.objects.filter(message=None).order_by("created_at", "id")),
            Prefetch(
                "messages",
                queryset=ConsultationMessage.objects.select_related("author").prefetch_related("images"),
            ),
            Prefetch("quotes", queryset=Quote.objects.order_by("-version")),
        )
        .annotate(project_id=Subquery(Project.objects.filter(consultation=OuterRef("pk")).values("pk")[:1]))
        .get(pk=consultation.pk)
    )


def project_detail(*, project: Project) -> Project:
    """The project with its sessions and their bookings (two queries)."""
    return (
        Project.objects.select_related("customer", "tattooist__user", "consultation")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=ProjectSession.objects.select_related("booking").order_by("seq", "created_at", "id"),
            )
        )
        .get(pk=project.pk)
    )


# --- figures ------------------------------------------------------------------------------------------


def response_hours(*, tattooist_id: int, now: datetime | None = None) -> float | None:
    """The median hours from a request to the artist's first answer (a message, a quote or a
    decline) over the last 90 days; None with fewer than 3 answered requests. One query."""
    now = now or timezone.now()
    row = Consultation.objects.filter(
        tattooist_id=tattooist_id, created_at__gte=now - timedelta(days=RESPONSE_DAYS), first_answered_at__isnull=False
    ).aggregate(median=Median(_answer_hours()), answered=Count("id"))
    if row["answered"] < RESPONSE_MIN_ANSWERS or row["median"] is None:
        return None
    return round(row["median"], 1)


@dataclass(frozen=True)
class ConversionRow:
    tattooist_id: int | None  # None: everybody
    name: str
    requests: int
    answered: int
    median_hours: float | None
    paid: int  # requests whose project's deposit arrived

    @property
    def paid_share(self) -> float | None:
        return self.paid / self.requests if self.requests else None


def _paid_deposit() -> Exists:
    """The request's project had money paid for its first session (the deposit)."""
    return Exists(
        Payment.objects.filter(
            booking__project_session__project__consultation=OuterRef("pk"), booking__project_session__seq=1
        )
    )


def conversion_report(*, days: int = RESPONSE_DAYS, now: datetime | None = None) -> list[ConversionRow]:
    """Per artist with requests in the last `days`, and overall (the first row): requests, how many
    the artist answered, the median hours to the first answer (None under 3 answers) and how many
    reached a paid deposit. Two queries whatever the number of artists."""
    now = now or timezone.now()
    recent = Consultation.objects.filter(created_at__gte=now - timedelta(days=days)).annotate(paid=_paid_deposit())
    figures = {
        "requests": Count("id"),
        "answered": Count("id", filter=Q(first_answered_at__isnull=False)),
        "median_hours": Median(_answer_hours(), filter=Q(first_answered_at__isnull=False)),
        "paid_count": Count("id", filter=Q(paid=True)),
    }
    per_artist = (
        recent.order_by().values("tattooist_id", "tattooist__user__name").annotate(**figures).order_by("-requests")
    )
    overall = recent.order_by().aggregate(**figures)
    rows = [_row(None, _("All artists"), overall)]
    rows += [_row(r["tattooist_id"], r["tattooist__user__name"], r) for r in per_artist]
    return rows


def _row(tattooist_id, name: str, r: dict) -> ConversionRow:
    enough = r["answered"] >= RESPONSE_MIN_ANSWERS and r["median_hours"] is not None
    return ConversionRow(
        tattooist_id=tattooist_id,
        name=name,
        requests=r["requests"],
        answered=r["answered"],
        median_hours=round(r["median_hours"], 1) if enough else None,
        paid=r["paid_count"],
    )


# --- the pages' free starts ---------------------------------------------------------------------------

PICK_DAYS = 30  # how far ahead the quote form and the project page offer free starts
PICK_MAX = 120


def free_starts(*, artist: Tattooist, minutes: int, start: datetime, now: datetime | None = None) -> list[datetime]:
    """The artist's bookable starts for a session of `minutes` from `start` for PICK_DAYS: the slot
    rule itself (bookings.selectors.tattooist_slots), for the quote form and the next session."""
    now = now or timezone.now()
    start = max(start, now)
    found = tattooist_slots(
        tattooist=artist, start=start, end=start + timedelta(days=PICK_DAYS), now=now, minutes=minutes
    )
    return found.starts[:PICK_MAX]
