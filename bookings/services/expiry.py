"""Hold expiry: an unpaid hold ends at its hold_expires_at (its own job, bookings/tasks.py) or in the
minute sweep behind those jobs, after the payments app's last word (`before_hold_expiry`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bookings import rules
from bookings.models import Booking, BookingStatus, PaymentStatus
from bookings.transitions import booking_move
from tattoo.core.hooks import Hook

logger = logging.getLogger("inkbook.bookings")

# The job that ends a hold at its hold_expires_at (bookings/tasks.py).
EXPIRE_HOLD_TASK = "bookings.expire_hold"


# Last word before a hold with an open invoice (payment_status `pending`) is expired.
#
# The payments app provides it (tattoo.core.hooks, docs/hooks.md): a callable taking `booking=` that
# asks the worker for one last payment check and, if the deposit did arrive, credits it (which
# confirms the booking). It returns True to let the expiry go ahead, False to keep the hold for now
# (it is looked at again on the next run). It is called outside any transaction, because it may wait
# on HTTP. The expiry that follows is a compare-and-set, so a booking it confirmed is left alone.
before_hold_expiry: Hook[Callable[..., bool]] = Hook("bookings.before_hold_expiry", single=True)


def before_expire_hook(*, booking: Booking) -> bool:
    last_word = before_hold_expiry.one()
    return True if last_word is None else bool(last_word(booking=booking))


@dataclass(frozen=True)
class ExpireReport:
    expired: int
    kept: int


# What booking_expire_hold did: expired it; kept it (the payment check could not be made: try
# again later); nothing because it is no longer an unpaid hold (paid, cancelled, already expired);
# or nothing yet, because by this server's clock the hold has not run out (EARLY: a job started by
# the database's clock a moment before this one's).
EXPIRED, KEPT, NOT_DUE, EARLY = "expired", "kept", "not_due", "early"


def booking_expire_hold(*, booking_id: int, now: datetime | None = None) -> str:
    """Expire one pending, unpaid booking whose hold ran out, audited; the hold-expiry job's body.

    A hold with an open invoice first gets the payments app's last word (before_expire_hook: one
    payment check, then the invoice is cancelled at QPay). Safe to run twice or next to the sweep:
    the row is claimed with SKIP LOCKED and re-checked in the same statement, so a booking another
    runner (or a payment) holds or has already moved is left alone, never moved twice.
    """
    now = now or timezone.now()
    booking = rules.unpaid_holds(pk=booking_id).first()
    if booking is None or booking.hold_expires_at is None:
        return NOT_DUE
    if booking.hold_expires_at > now:
        return EARLY
    if booking.payment_status == PaymentStatus.PENDING:
        try:
            go = before_expire_hook(booking=booking)
        except Exception:
            logger.exception("before_expire_hook failed for booking %s; keeping the hold for now", booking.pk)
            go = False
        if not go:
            booking.refresh_from_db(fields=["status", "payment_status"])
            paid_or_moved = booking.status != BookingStatus.PENDING or booking.payment_status not in rules.UNPAID_STATES
            return NOT_DUE if paid_or_moved else KEPT
    with transaction.atomic():
        claimed = (
            Booking.objects.select_for_update(skip_locked=True)
            .filter(
                pk=booking.pk,
                status=BookingStatus.PENDING,
                # the payment state the decision above was made on (or unpaid, when the hook
                # cancelled the open invoice); an invoice opened since waits for the next run
                payment_status__in={booking.payment_status, PaymentStatus.UNPAID},
                hold_expires_at__lte=now,
            )
            .values_list("pk", flat=True)
            .first()
        )
        if claimed is None:
            return NOT_DUE
        booking_move(
            booking_id=booking.pk,
            actor=None,
            to_status=BookingStatus.EXPIRED,
            expect_status=BookingStatus.PENDING,
            note="hold expired",
        )
    return EXPIRED


def booking_expire_holds(
    *, now: datetime | None = None, limit: int = 500, overdue_by: timedelta = timedelta(0)
) -> ExpireReport:
    """Expire every unpaid hold that ran out more than `overdue_by` ago (booking_expire_hold each).

    `manage.py expire_holds` and the minute sweep (the safety net behind each hold's own job, which
    passes a grace period so it does not race the jobs that are on time). Safe to run from several
    processes at once.
    """
    now = now or timezone.now()
    due = rules.unpaid_holds(hold_expires_at__lte=now - overdue_by).order_by("hold_expires_at", "id")
    expired = kept = 0
    for booking_id in list(due.values_list("pk", flat=True)[:limit]):
        outcome = booking_expire_hold(booking_id=booking_id, now=now)
        expired += outcome == EXPIRED
        kept += outcome == KEPT
    return ExpireReport(expired=expired, kept=kept)
