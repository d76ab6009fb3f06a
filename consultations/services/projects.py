"""Projects: later sessions and their heal time, cancelling under the deposit policy of the session
in force, and the project following its sessions' status moves (docs/consultations.md)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tattooist, User
from bookings import rules
from bookings.models import Booking, BookingStatus, DepositRole
from bookings.services.conflicts import booking_write_retry
from bookings.services.create import _bookable_start, booking_write_locked
from bookings.transitions import booking_move
from consultations import notices
from consultations.models import (
    Project,
    ProjectSession,
    ProjectStatus,
)
from consultations.services.common import (
    OVER_STATUSES,
    USED_STATUSES,
    project_for,
    require_project_party,
)
from consultations.transitions import event_write, status_move
from payments import ledger
from tattoo.core import l10n
from tattoo.core.errors import ConflictError

logger = logging.getLogger("inkbook.consultations")


def heal_earliest(*, previous_end: datetime, zone: str, heal_days: int) -> datetime:
    """The earliest start of the next session: `heal_days` calendar days after the previous session
    ends, on the artist's wall clock (zoneinfo: across a DST change the gap is a day count, not a
    multiple of 24 hours)."""
    local_end = previous_end.astimezone(ZoneInfo(zone))
    return (local_end + timedelta(days=heal_days)).astimezone(previous_end.tzinfo)


def _sessions(project: Project) -> list[ProjectSession]:
    return list(project.sessions.select_related("booking").order_by("seq", "created_at", "id"))


def session_booking_refusal(*, project: Project, sessions: list[ProjectSession]) -> ConflictError | None:
    """Why no further session of `project` may be booked now (409), or None (the page asks it)."""
    if project.status == ProjectStatus.AWAITING_DEPOSIT:
        return ConflictError(
            _("The deposit of the first session is not paid yet; later sessions can be booked once it is."),
            code="deposit_unpaid",
        )
    if project.status != ProjectStatus.ACTIVE:
        return ConflictError(
            _("This project is %(status)s.") % {"status": str(project.get_status_display()).lower()},
            code="project_closed",
        )
    used = [s for s in sessions if s.booking.status in USED_STATUSES]
    if len(used) >= project.sessions_planned:
        return ConflictError(_("Every planned session of this project is booked."), code="sessions_used")
    return None


def next_session_earliest(*, project: Project, sessions: list[ProjectSession], artist: Tattooist) -> datetime:
    """When the next session may start at the earliest: the artist's heal time after the booked
    session that ends last."""
    used = [s.booking for s in sessions if s.booking.status in USED_STATUSES]
    previous_end = max(b.ends_at for b in used)
    return heal_earliest(previous_end=previous_end, zone=artist.timezone, heal_days=artist.heal_days)


def heal_refusal(*, booking: Booking, artist: Tattooist, slot: datetime, ends_at: datetime) -> ConflictError | None:
    """Why a project's session may not move to [slot, ends_at) (409 `too_soon_to_heal`), or None:
    every other session of the project still on stays at least the artist's heal time away, before
    and after it. bookings.rules.slot_refusal asks it for a move (the slot_rules hook)."""
    session = ProjectSession.objects.filter(booking_id=booking.pk).values("project_id").first()
    if session is None:
        return None
    others = (
        Booking.objects.filter(project_session__project_id=session["project_id"], status__in=USED_STATUSES)
        .exclude(pk=booking.pk)
        .values_list("slot", "ends_at")
    )
    for other_slot, other_end in others:
        if other_slot < slot:
            earliest, start = (
                heal_earliest(previous_end=other_end, zone=artist.timezone, heal_days=artist.heal_days),
                slot,
            )
        else:
            earliest, start = (
                heal_earliest(previous_end=ends_at, zone=artist.timezone, heal_days=artist.heal_days),
                other_slot,
            )
        if start < earliest:
            return ConflictError(
                _("Sessions of one tattoo are at least %(days)s days apart, for the skin to heal.")
                % {"days": artist.heal_days},
                code="too_soon_to_heal",
                fields={"slot": [_("Too close to another session of this project.")]},
            )
    return None


def project_session_book(*, user: User, project_id: int, slot: datetime, now: datetime | None = None) -> Booking:
    """A later session of a project, booked by either party: confirmed at once with no deposit of
    its own (the project's deposit covers it), at least the artist's `healDays` after the previous
    session ends (409 `too_soon_to_heal`), while planned sessions remain (409 `sessions_used`)."""
    require_project_party(project_for(user=user, project_id=project_id), user)
    now = now or timezone.now()
    slot = _bookable_start(slot, now=now)
    return booking_write_retry(lambda: _session_locked(user=user, project_id=project_id, slot=slot, now=now))


def _session_locked(*, user: User, project_id: int, slot: datetime, now: datetime) -> Booking:
    with transaction.atomic():
        known = Project.objects.get(pk=project_id)
        artist = rules.lock_parties(customer_id=known.customer_id, artist_id=known.tattooist_id)
        if artist is None:  # the project's own artist: a foreign key keeps the row while the project lives
            raise RuntimeError(f"project {project_id}: its artist {known.tattooist_id} is gone")
        project = Project.objects.select_for_update(of=("self",)).select_related("customer").get(pk=project_id)
        sessions = _sessions(project)
        refusal = session_booking_refusal(project=project, sessions=sessions)
        if refusal is not None:
            raise refusal
        earliest = next_session_earliest(project=project, sessions=sessions, artist=artist)
        if slot < earliest:
            when = l10n.when(earliest, artist.timezone)
            raise ConflictError(
                _(
                    "The skin needs %(days)s days to heal after the previous session: the next one can start "
                    "from %(when)s."
                )
                % {"days": artist.heal_days, "when": when},
                code="too_soon_to_heal",
                fields={"slot": [_("From %(when)s.") % {"when": when}]},
            )
        seq = len([s for s in sessions if s.booking.status in USED_STATUSES]) + 1
        booking = booking_write_locked(
            customer=project.customer,
            artist=artist,
            slot=slot,
            minutes=project.session_minutes,
            deposit_amount=Decimal("0.00"),
            notes="",
            now=now,
            deposit_role=DepositRole.NONE,
            confirmed=True,
            actor=user,
            notice=lambda booking: notices.session_booked(booking, project=project, seq=seq),
        )
        ProjectSession.objects.create(project=project, seq=seq, booking=booking)
        event_write(
            project, actor=user, from_status=project.status, to_status=project.status, note=f"session {seq} booked"
        )
    return booking


def project_cancel_refusal(*, project: Project) -> ConflictError | None:
    if project.status in (ProjectStatus.AWAITING_DEPOSIT, ProjectStatus.ACTIVE):
        return None
    return ConflictError(
        _("This project is %(status)s.") % {"status": str(project.get_status_display()).lower()}, code="project_closed"
    )


def project_cancel(*, user: User, project_id: int, now: datetime | None = None) -> Project:
    """Either party (or staff) calls the project off: its booked sessions are cancelled, and the
    deposit follows the policy of the session in force (docs/deposits.md, "Projects"): while the
    first session is ahead, its own cancel decides; once it is over, a deposit waiting for the last
    session is kept when the customer cancels a confirmed session after its free-cancel deadline,
    else refunded."""
    project_for(user=user, project_id=project_id)
    return booking_write_retry(lambda: _cancel_locked(user=user, project_id=project_id, now=now or timezone.now()))


def _cancel_locked(*, user: User, project_id: int, now: datetime) -> Project:
    with transaction.atomic():
        known = Project.objects.get(pk=project_id)
        rules.lock_parties(customer_id=known.customer_id, artist_id=known.tattooist_id)
        project = Project.objects.select_for_update(of=("self",)).get(pk=project_id)
        refusal = project_cancel_refusal(project=project)
        if refusal is not None:
            raise refusal
        status_move(project, ProjectStatus.CANCELLED, actor=user, note="cancelled")
        sessions = _sessions(project)
        live = sorted(
            (s.booking for s in sessions if s.booking.status in (BookingStatus.PENDING, BookingStatus.CONFIRMED)),
            key=lambda b: b.slot,
        )
        in_force = live[0] if live else None
        for booking in live:
            booking_move(
                booking_id=booking.pk,
                actor=user,
                to_status=BookingStatus.CANCELLED,
                note="project cancelled",
                expect_status=(BookingStatus.PENDING, BookingStatus.CONFIRMED),
            )
        holder = next((s.booking for s in sessions if s.seq == 1 and s.booking.deposit_role == DepositRole.CARRY), None)
        if holder is not None and holder.status == BookingStatus.COMPLETED:
            by_customer = user.pk == project.customer_id
            keep = ledger.carried_deposit_keeps(in_force=in_force, cancelled_by_customer=by_customer, now=now)
            note = (
                f"customer cancelled the project within {in_force.deposit_refundable_hours} h of the session"
                if keep and in_force is not None
                else "project cancelled: full refund under the deposit policy"
            )
            ledger.deposit_settle_carried(booking=holder, keep=keep, note=note, actor=user)
    logger.info("project %s cancelled by user %s", project_id, user.pk)
    return project


def project_follow_booking(booking: Booking, from_status: str) -> None:
    """A project follows its sessions (the bookings.transitions.status_moved hook, in the move's
    transaction, under the booking's row lock):

    - the first session confirmed (its deposit paid): the project goes `active` (again, when a late
      payment brought an expired first session back);
    - the first session cancelled or expired before the project ended: the project is cancelled,
      with its other booked sessions (the deposit follows the first session's own policy);
    - the last planned session over: the project is `completed`, and a deposit waiting for it
      (deposit role `carry`) is applied (completed) or kept (a no-show).
    """
    if booking.deposit_role == DepositRole.OWN:
        return  # a direct booking: no project (and no query)
    session = ProjectSession.objects.filter(booking_id=booking.pk).values("project_id", "seq").first()
    if session is None:
        return
    project = Project.objects.select_for_update(of=("self",)).get(pk=session["project_id"])
    status = booking.status
    first = booking.deposit_role in (DepositRole.APPLY, DepositRole.CARRY)
    if first and status == BookingStatus.CONFIRMED:
        if project.status == ProjectStatus.AWAITING_DEPOSIT:
            status_move(project, ProjectStatus.ACTIVE, note="deposit paid")
        elif project.status == ProjectStatus.CANCELLED and from_status == BookingStatus.EXPIRED:
            status_move(project, ProjectStatus.ACTIVE, note="late payment re-took the first session")
        return
    if first and status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED):
        if project.status in (ProjectStatus.AWAITING_DEPOSIT, ProjectStatus.ACTIVE):
            status_move(project, ProjectStatus.CANCELLED, note=f"first session {status}")
            for other in _sessions(project):
                if other.booking_id != booking.pk and other.booking.status in (
                    BookingStatus.PENDING,
                    BookingStatus.CONFIRMED,
                ):
                    booking_move(
                        booking_id=other.booking_id,
                        actor=None,
                        to_status=BookingStatus.CANCELLED,
                        note="project cancelled",
                        expect_status=(BookingStatus.PENDING, BookingStatus.CONFIRMED),
                    )
        return
    if status in OVER_STATUSES and project.status == ProjectStatus.ACTIVE:
        sessions = _sessions(project)
        over = [s for s in sessions if s.booking.status in OVER_STATUSES]
        if len(over) < project.sessions_planned:
            return
        status_move(project, ProjectStatus.COMPLETED, note="every session over")
        holder = next((s.booking for s in sessions if s.seq == 1 and s.booking.deposit_role == DepositRole.CARRY), None)
        if holder is not None and holder.pk != booking.pk:
            if status == BookingStatus.COMPLETED:
                ledger.deposit_apply_held(
                    booking=holder, note="project deposit applied to the last session", actor=None
                )
            else:
                ledger.deposit_settle_carried(booking=holder, keep=True, note="customer did not show", actor=None)
