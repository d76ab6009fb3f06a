"""The status machines of custom work: one transition table per thing, and one function that moves
any of them (compare-and-set under the caller's row lock, audited in the same transaction)."""

from __future__ import annotations

from typing import TypeAlias

from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import (
    Consultation,
    ConsultationEvent,
    ConsultationStatus,
    Project,
    ProjectStatus,
    Quote,
    QuoteStatus,
    Subject,
)
from tattoo.core.errors import ConflictError

C, Q, P = ConsultationStatus, QuoteStatus, ProjectStatus

# What moves along a table here: a request, a quote or a project.
Moving: TypeAlias = Consultation | Quote | Project

# from status -> the statuses it may move to
CONSULTATION_MOVES: dict[str, frozenset[str]] = {
    C.SUBMITTED: frozenset({C.QUOTED, C.DECLINED, C.WITHDRAWN}),
    # back to submitted when the customer declines the open quote: the artist may send another
    C.QUOTED: frozenset({C.ACCEPTED, C.DECLINED, C.WITHDRAWN, C.EXPIRED, C.SUBMITTED}),
    C.EXPIRED: frozenset({C.QUOTED, C.DECLINED, C.WITHDRAWN}),
    C.ACCEPTED: frozenset(),
    C.DECLINED: frozenset(),
    C.WITHDRAWN: frozenset(),
}
QUOTE_MOVES: dict[str, frozenset[str]] = {
    Q.OPEN: frozenset({Q.SUPERSEDED, Q.ACCEPTED, Q.DECLINED, Q.EXPIRED, Q.WITHDRAWN}),
    Q.SUPERSEDED: frozenset(),
    Q.ACCEPTED: frozenset(),
    Q.DECLINED: frozenset(),
    Q.EXPIRED: frozenset(),
    Q.WITHDRAWN: frozenset(),
}
PROJECT_MOVES: dict[str, frozenset[str]] = {
    P.AWAITING_DEPOSIT: frozenset({P.ACTIVE, P.CANCELLED}),
    P.ACTIVE: frozenset({P.COMPLETED, P.CANCELLED}),
    # a late payment brought the expired first session back (its slot was still free)
    P.CANCELLED: frozenset({P.ACTIVE}),
    P.COMPLETED: frozenset(),
}

_TABLES = {
    Consultation: (CONSULTATION_MOVES, Subject.CONSULTATION, ConsultationStatus),
    Quote: (QUOTE_MOVES, Subject.QUOTE, QuoteStatus),
    Project: (PROJECT_MOVES, Subject.PROJECT, ProjectStatus),
}


def can_move(obj: Moving, to_status: str) -> bool:
    table = _TABLES[type(obj)][0]
    return to_status in table.get(obj.status, frozenset())


def move_refusal(obj: Moving, to_status: str) -> ConflictError | None:
    """Why `obj` (a request, quote or project) cannot move to `to_status` now (409), or None."""
    if can_move(obj, to_status):
        return None
    choices = _TABLES[type(obj)][2]
    return ConflictError(
        _("This is %(status)s now; it cannot become %(to_status)s.")
        % {"status": str(choices(obj.status).label).lower(), "to_status": str(choices(to_status).label).lower()},
        code="illegal_transition",
    )


def status_move(obj: Moving, to_status: str, *, actor=None, note: str = "", **extra) -> None:
    """Move `obj` along its table: a compare-and-set on its current status (a race lost is a 409,
    never a double move), its audit row, and `extra` columns, in the caller's transaction."""
    refusal = move_refusal(obj, to_status)
    if refusal is not None:
        raise refusal
    model = type(obj)
    changed = model.objects.filter(pk=obj.pk, status=obj.status).update(
        status=to_status, **extra, **({"updated_at": timezone.now()} if model is not Quote else {})
    )
    if changed != 1:
        raise ConflictError(_("Someone else changed this a moment ago; reload and try again."), code="status_changed")
    from_status = obj.status
    obj.status = to_status
    for name, value in extra.items():
        setattr(obj, name, value)
    event_write(obj, actor=actor, from_status=from_status, to_status=to_status, note=note)


def event_write(obj: Moving, *, actor=None, from_status: str = "", to_status: str = "", note: str = "") -> None:
    """One audit row about `obj` (a request, quote or project)."""
    subject = _TABLES[type(obj)][1]
    consultation_id = obj.pk if isinstance(obj, Consultation) else obj.consultation_id
    ConsultationEvent.objects.create(
        consultation_id=consultation_id,
        subject=subject,
        quote=obj if isinstance(obj, Quote) else None,
        project=obj if isinstance(obj, Project) else None,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note[:500],
    )
