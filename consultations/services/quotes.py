"""Quotes: send (superseding the open one), expire on their own (two jobs), accept (the project and
its first session, through the one booking writer), decline (docs/consultations.md)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tattooist, User
from bookings import rules
from bookings.models import Booking, DepositRole
from bookings.services.conflicts import booking_write_retry
from bookings.services.create import _bookable_start, booking_write_locked
from consultations import notices
from consultations.models import (
    ANSWERABLE_CONSULTATION,
    PROPOSED_STARTS,
    Consultation,
    ConsultationStatus,
    DepositAppliesTo,
    Project,
    ProjectSession,
    ProjectStatus,
    Quote,
    QuoteStatus,
)
from consultations.services.common import (
    EXPIRE_TASK,
    EXPIRING_LEAD,
    EXPIRING_TASK,
    QUOTE_DEFAULT_LIFE,
    QUOTE_MAX_LIFE,
    _lock,
    _problem,
    _whole,
    consultation_for,
    quote_for,
)
from consultations.services.requests import _answered
from consultations.transitions import event_write, status_move
from tattoo.core import jobs, l10n
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError
from tattoo.core.rates import rate_refusal

logger = logging.getLogger("inkbook.consultations")


def _quote_problems(
    *,
    price_min: Decimal,
    price_max: Decimal,
    deposit_amount: Decimal,
    proposed_slots: Sequence[datetime],
    expires_at: datetime,
    now: datetime,
) -> ApplicationError | None:
    if price_max < price_min:
        return _problem("priceMax", _("The highest price is below the lowest."))
    if deposit_amount <= 0:
        return _problem("depositAmount", _("A deposit is needed to hold the first session."))
    if deposit_amount > price_max:
        return _problem("depositAmount", _("The deposit cannot be more than the highest price."))
    if not PROPOSED_STARTS[0] <= len(proposed_slots) <= PROPOSED_STARTS[1]:
        return _problem(
            "proposedSlots",
            _("Propose %(low)s to %(high)s start times.") % {"low": PROPOSED_STARTS[0], "high": PROPOSED_STARTS[1]},
        )
    if len(set(proposed_slots)) != len(proposed_slots):
        return _problem("proposedSlots", _("A start time is listed twice."))
    if expires_at <= now:
        return _problem("expiresAt", _("The quote must expire in the future."))
    if expires_at > now + QUOTE_MAX_LIFE:
        return _problem("expiresAt", _("A quote can stay open at most 14 days."))
    return None


def quote_create_refusal(*, consultation: Consultation, user: User) -> ApplicationError | None:
    """Why `user` may not send a quote on this request now, or None (the inbox page asks it)."""
    if user.pk != consultation.tattooist.user_id:
        return NotAllowedError(_("Only the request's artist can send a quote."), code="not_the_artist")
    if consultation.status not in ANSWERABLE_CONSULTATION:
        return ConflictError(
            _("This request is %(status)s; it takes no quote.")
            % {"status": str(consultation.get_status_display()).lower()},
            code="consultation_closed",
        )
    return None


def quote_create(
    *,
    user: User,
    consultation_id: int,
    price_min: Decimal,
    price_max: Decimal,
    sessions: int,
    session_minutes: int,
    deposit_amount: Decimal,
    deposit_applies_to: str,
    proposed_slots: Sequence[datetime],
    note: str = "",
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> Quote:
    """The artist's quote: an earlier open quote becomes `superseded`, the request `quoted`; the
    quote expires on its own at `expires_at` (a job written with it) and the customer is mailed 12
    hours before. Every proposed start must be bookable for `session_minutes` by the one slot rule
    (400 `slot_not_bookable` naming it); the date stays open to others until a deposit holds it."""
    consultation = consultation_for(user=user, consultation_id=consultation_id)
    refusal = quote_create_refusal(consultation=consultation, user=user)
    if isinstance(refusal, NotAllowedError):
        raise refusal
    now = now or timezone.now()
    expires_at = expires_at or now + QUOTE_DEFAULT_LIFE
    price_min, price_max = _whole(price_min, "priceMin"), _whole(price_max, "priceMax")
    deposit_amount = _whole(deposit_amount, "depositAmount")
    refusal = _quote_problems(
        price_min=price_min,
        price_max=price_max,
        deposit_amount=deposit_amount,
        proposed_slots=proposed_slots,
        expires_at=expires_at,
        now=now,
    )
    if refusal is not None:
        raise refusal
    starts = sorted(_proposed_start(slot, now=now) for slot in proposed_slots)
    artist = Tattooist.objects.select_related("user").get(pk=consultation.tattooist_id)
    for start in starts:
        slot_refusal = rules.slot_refusal(
            artist=artist, slot=start, ends_at=start + timedelta(minutes=session_minutes), now=now
        )
        if slot_refusal is not None:
            when = l10n.when(start, artist.timezone)
            raise ApplicationError(
                _("%(when)s cannot be booked for this session length: %(reason)s")
                % {"when": when, "reason": slot_refusal.message},
                code="slot_not_bookable",
                fields={"proposedSlots": [_("%(when)s is not bookable.") % {"when": when}]},
            )
    with transaction.atomic():
        consultation = consultation_for(user=user, consultation_id=consultation_id, lock=True)
        refusal = quote_create_refusal(consultation=consultation, user=user)
        if refusal is not None:
            raise refusal
        earlier = list(Quote.objects.select_for_update().filter(consultation=consultation).order_by("-version"))
        for quote in earlier:
            if quote.status == QuoteStatus.OPEN:
                status_move(quote, QuoteStatus.SUPERSEDED, actor=user, note="a newer quote", decided_at=now)
        quote = Quote.objects.create(
            consultation=consultation,
            version=(earlier[0].version + 1) if earlier else 1,
            price_min=price_min,
            price_max=price_max,
            sessions=sessions,
            session_minutes=session_minutes,
            deposit_amount=deposit_amount,
            deposit_applies_to=deposit_applies_to,
            proposed_slots=starts,
            note=note,
            expires_at=expires_at,
            created_by=user,
        )
        event_write(quote, actor=user, to_status=QuoteStatus.OPEN, note="quoted")
        if consultation.status != ConsultationStatus.QUOTED:
            status_move(consultation, ConsultationStatus.QUOTED, actor=user, note=f"quote {quote.version}")
        _answered(consultation, user, now)
        # Both jobs look the quote up when they run: a quote superseded, accepted or declined by
        # then makes them do nothing.
        jobs.enqueue(EXPIRE_TASK, at=expires_at, quote_id=quote.pk)
        if expires_at - EXPIRING_LEAD > now:
            jobs.enqueue(EXPIRING_TASK, at=expires_at - EXPIRING_LEAD, quote_id=quote.pk)
        quote.consultation = consultation
        notices.quote_sent(quote)
    return quote


def _proposed_start(slot: datetime, *, now: datetime) -> datetime:
    try:
        return _bookable_start(slot, now=now)
    except ApplicationError as exc:
        raise ApplicationError(
            exc.message, code=exc.code, fields={"proposedSlots": exc.fields.get("slot", [])}
        ) from None


def quote_expire(*, quote_id: int, now: datetime | None = None) -> str:
    """The expiry job's body: an open quote past its time expires with its request (both parties
    mailed). Idempotent: a quote that is no longer open (superseded, accepted, declined, already
    expired) is left alone, and so is one whose time has not come by this server's clock."""
    now = now or timezone.now()
    quote = Quote.objects.filter(pk=quote_id).values("status", "expires_at", "consultation_id").first()
    if quote is None or quote["status"] != QuoteStatus.OPEN:
        return "not_open"
    if quote["expires_at"] > now:
        # Started by the database's clock a moment before this server's: look again shortly.
        jobs.enqueue(EXPIRE_TASK, at=max(quote["expires_at"], now) + timedelta(seconds=5), quote_id=quote_id)
        return "early"
    with transaction.atomic():
        consultation = (
            Consultation.objects.select_for_update(of=("self",))
            .select_related("tattooist__user", "customer")
            .get(pk=quote["consultation_id"])
        )
        locked = _lock(Quote, quote_id)
        if locked.status != QuoteStatus.OPEN:
            return "not_open"
        status_move(locked, QuoteStatus.EXPIRED, note="expired", decided_at=now)
        if consultation.status == ConsultationStatus.QUOTED:
            status_move(consultation, ConsultationStatus.EXPIRED, note="quote expired")
        locked.consultation = consultation
        notices.quote_expired(locked)
    return "expired"


def quote_expiring_tell(*, quote_id: int, now: datetime | None = None) -> str:
    """The 12-hour job's body: the customer is reminded while the quote is still open."""
    now = now or timezone.now()
    quote = quote_for(quote_id=quote_id)
    if quote.status != QuoteStatus.OPEN or quote.expires_at <= now:
        return "not_open"
    with transaction.atomic():
        notices.quote_expiring(quote)
    return "told"


def quote_accept_refusal(*, quote: Quote, now: datetime) -> ConflictError | None:
    """Why `quote` cannot be accepted now (409), or None: it must be open and not past its time."""
    if quote.status != QuoteStatus.OPEN:
        return ConflictError(
            _("This quote is %(status)s; it can no longer be accepted.")
            % {"status": str(quote.get_status_display()).lower()},
            code="quote_closed",
        )
    if quote.expires_at <= now:
        return ConflictError(_("This quote has expired; ask the artist for a new one."), code="quote_expired")
    return None


def require_customer(quote: Quote, user: User) -> None:
    if user.pk != quote.consultation.customer_id:
        raise NotAllowedError(_("Only the customer the quote is for can answer it."), code="not_the_customer")


def quote_accept(*, user: User, quote_id: int, slot: datetime, now: datetime | None = None) -> tuple[Project, Booking]:
    """The customer takes the quote at one of its proposed starts: in one transaction, the project
    and its first session, an unpaid hold of the quote's length and deposit written by the one
    booking writer (so the slot rule, the hold, its expiry, the invoice and the deposit policy are
    a direct booking's). Two accepts of one quote: the second finds it accepted (409
    `quote_closed`); an accept and another booking of the same time: the artist's row lock and
    the exclusion constraint let one win (409 `slot_taken` for the other)."""
    quote = quote_for(quote_id=quote_id)
    require_customer(quote, user)
    now = now or timezone.now()
    slot = _bookable_start(slot, now=now)
    if slot not in quote.proposed_slots:
        raise ApplicationError(
            _("Pick one of the times the artist proposed."),
            code="not_proposed",
            fields={"slot": [_("Not one of the proposed times.")]},
        )
    refusal = rate_refusal(scope="booking_create", user_id=user.pk, rate=settings.BOOKING_CREATE_RATE)
    if refusal is not None:
        raise refusal
    return booking_write_retry(lambda: _accept_locked(user=user, quote_id=quote_id, slot=slot, now=now))


def _accept_locked(*, user: User, quote_id: int, slot: datetime, now: datetime) -> tuple[Project, Booking]:
    with transaction.atomic():
        known = Quote.objects.select_related("consultation").get(pk=quote_id)
        artist = rules.lock_parties(customer_id=user.pk, artist_id=known.consultation.tattooist_id)
        if artist is None:  # the request's own artist: a foreign key keeps the row while the request lives
            raise RuntimeError(f"quote {quote_id}: its artist {known.consultation.tattooist_id} is gone")
        consultation = (
            Consultation.objects.select_for_update(of=("self",))
            .select_related("tattooist__user", "customer")
            .get(pk=known.consultation_id)
        )
        quote = _lock(Quote, quote_id)
        quote.consultation = consultation
        refusal = quote_accept_refusal(quote=quote, now=now)
        if refusal is not None:
            raise refusal
        one_deposit_session = quote.deposit_applies_to == DepositAppliesTo.FIRST or quote.sessions == 1
        booking = booking_write_locked(
            customer=user,
            artist=artist,
            slot=slot,
            minutes=quote.session_minutes,
            deposit_amount=quote.deposit_amount,
            notes="",
            now=now,
            deposit_role=DepositRole.APPLY if one_deposit_session else DepositRole.CARRY,
            notice=lambda booking: notices.quote_accepted(booking, quote=quote),
        )
        project = Project.objects.create(
            consultation=consultation,
            quote=quote,
            customer=consultation.customer,
            tattooist=consultation.tattooist,
            sessions_planned=quote.sessions,
            session_minutes=quote.session_minutes,
            deposit_amount=quote.deposit_amount,
            deposit_applies_to=quote.deposit_applies_to,
        )
        ProjectSession.objects.create(project=project, seq=1, booking=booking)
        status_move(quote, QuoteStatus.ACCEPTED, actor=user, note="accepted", decided_at=now)
        status_move(consultation, ConsultationStatus.ACCEPTED, actor=user, note=f"quote {quote.version} accepted")
        event_write(project, actor=user, to_status=ProjectStatus.AWAITING_DEPOSIT, note=f"booking {booking.pk}")
    logger.info("quote %s accepted: project %s, booking %s", quote_id, project.pk, booking.pk)
    return project, booking


def quote_decline(*, user: User, quote_id: int, now: datetime | None = None) -> Quote:
    """The customer says no to this quote; the request waits for the artist again (mailed)."""
    quote = quote_for(quote_id=quote_id)
    require_customer(quote, user)
    now = now or timezone.now()
    with transaction.atomic():
        consultation = (
            Consultation.objects.select_for_update(of=("self",))
            .select_related("tattooist__user", "customer")
            .get(pk=quote.consultation_id)
        )
        quote = _lock(Quote, quote_id)
        if quote.status != QuoteStatus.OPEN:
            refusal = quote_accept_refusal(quote=quote, now=now)
            if refusal is not None:  # always, for a quote that is not open
                raise refusal
        status_move(quote, QuoteStatus.DECLINED, actor=user, note="declined", decided_at=now)
        if consultation.status == ConsultationStatus.QUOTED:
            status_move(consultation, ConsultationStatus.SUBMITTED, actor=user, note=f"quote {quote.version} declined")
        quote.consultation = consultation
        notices.quote_declined(quote)
    return quote
