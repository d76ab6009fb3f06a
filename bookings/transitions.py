"""The booking status machine: the one transition table, and the one function that moves a booking.

Every status or payment-status move goes through `booking_move`, which locks the row, checks the
table, writes the new state and the audit row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import notices
from bookings.models import Booking, BookingEvent, BookingStatus, PaymentStatus, payment_status_word, status_word
from tattoo.core import jobs
from tattoo.core.errors import ConflictError
from tattoo.core.hooks import Hook

S = BookingStatus

# The payment check of a confirmed session whose deposit is not recorded as paid runs this long
# before it starts (docs/jobs.md, "Payment checks").
PRE_SESSION_CHECK_LEAD = timedelta(hours=24)
SETTLED_PAYMENT = (PaymentStatus.PAID, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED)

# from status -> statuses it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    # An unpaid hold cannot be disputed (it would keep its slot past its expiry): not_disputable.
    S.PENDING: frozenset({S.CONFIRMED, S.CANCELLED, S.EXPIRED}),
    # no_show: by its artist or staff, only after the start (bookings/services/moves.py); the deposit is kept.
    S.CONFIRMED: frozenset({S.COMPLETED, S.CANCELLED, S.DISPUTED, S.NO_SHOW}),
    S.COMPLETED: frozenset({S.DISPUTED}),
    S.NO_SHOW: frozenset({S.DISPUTED}),
    S.DISPUTED: frozenset({S.CONFIRMED, S.COMPLETED, S.CANCELLED}),
    S.CANCELLED: frozenset(),
    # A late payment may bring an expired booking back if its slot is still free (payments).
    S.EXPIRED: frozenset({S.CONFIRMED}),
}

# Moves that only a specific flow may make (not a plain PATCH by a user).
SYSTEM_ONLY: frozenset[tuple[str, str]] = frozenset(
    {
        (S.PENDING, S.EXPIRED),  # the hold-expiry job
        (S.EXPIRED, S.CONFIRMED),  # a late payment re-taking a free slot
        (S.CONFIRMED, S.DISPUTED),  # disputes
        (S.COMPLETED, S.DISPUTED),
        (S.NO_SHOW, S.DISPUTED),
        (S.DISPUTED, S.CONFIRMED),  # dispute resolution
        (S.DISPUTED, S.COMPLETED),
        (S.DISPUTED, S.CANCELLED),
    }
)

# A hold that never got its whole deposit can still have money to give back (an underpaid or late
# payment): unpaid/pending -> refunded or partially_refunded (docs/deposits.md).
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.UNPAID: frozenset(
        {PaymentStatus.PENDING, PaymentStatus.PAID, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED}
    ),
    PaymentStatus.PENDING: frozenset(
        {PaymentStatus.PAID, PaymentStatus.UNPAID, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED}
    ),
    PaymentStatus.PAID: frozenset({PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED}),
    PaymentStatus.PARTIALLY_REFUNDED: frozenset({PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED}),
    PaymentStatus.REFUNDED: frozenset(),
}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def hand_move_refusal(from_status: str, to_status: str) -> ConflictError | None:
    """Why a person may not move a booking from `from_status` to `to_status` by hand, or None."""
    if to_status == from_status:
        return ConflictError(
            _("The booking is already %(from_status)s.") % {"from_status": status_word(from_status)},
            code="illegal_transition",
        )
    if (from_status, to_status) in SYSTEM_ONLY:
        return ConflictError(
            _("A %(from_status)s booking cannot be made %(to_status)s by hand.")
            % {"from_status": status_word(from_status), "to_status": status_word(to_status)},
            code="illegal_transition",
        )
    if not can_move(from_status, to_status):
        return ConflictError(
            _("A %(from_status)s booking cannot become %(to_status)s.")
            % {"from_status": status_word(from_status), "to_status": status_word(to_status)},
            code="illegal_transition",
        )
    return None


def booking_move(
    *,
    booking_id: int,
    actor,
    to_status: str | None = None,
    to_payment_status: str | None = None,
    note: str = "",
    expect_status: str | tuple[str, ...] | None = None,
    extra_updates: dict | None = None,
    user_move: bool = False,
) -> Booking:
    """Move a booking (status and/or payment status) under a row lock, with its audit row.

    Must run inside the caller's transaction or opens its own. `expect_status` makes the move a
    compare-and-set: if another request moved the booking first, this one gets a 409 instead of
    acting on stale state. Raises ConflictError for a move outside the tables.

    `user_move=True` is for a person's plain request (PATCH /api/bookings/{id}): SYSTEM_ONLY moves
    and no-op moves are refused with 409 too. The check runs under the row lock, so it judges the
    status the booking really has, not the one the caller read earlier.
    """
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if expect_status is not None:
            expected = (expect_status,) if isinstance(expect_status, str) else expect_status
            if booking.status not in expected:
                raise ConflictError(
                    _("The booking is %(status)s now; it can no longer be moved this way.")
                    % {"status": status_word(booking.status)},
                    code="status_changed",
                )
        from_status, from_pay = booking.status, booking.payment_status
        if user_move and to_status is not None:
            refusal = hand_move_refusal(from_status, to_status)
            if refusal is not None:
                raise refusal
        fields = ["updated_at"]
        if to_status is not None and to_status != from_status:
            if not can_move(from_status, to_status):
                raise ConflictError(
                    _("A %(from_status)s booking cannot become %(to_status)s.")
                    % {"from_status": status_word(from_status), "to_status": status_word(to_status)},
                    code="illegal_transition",
                )
            booking.status = to_status
            fields.append("status")
        if to_payment_status is not None and to_payment_status != from_pay:
            if to_payment_status not in PAYMENT_TRANSITIONS.get(from_pay, frozenset()):
                raise ConflictError(
                    _("Payment status %(from_pay)s cannot become %(to_payment_status)s.")
                    % {
                        "from_pay": payment_status_word(from_pay),
                        "to_payment_status": payment_status_word(to_payment_status),
                    },
                    code="illegal_payment_transition",
                )
            booking.payment_status = to_payment_status
            fields.append("payment_status")
        for name, value in (extra_updates or {}).items():
            setattr(booking, name, value)
            fields.append(name)
        if len(fields) == 1 and not extra_updates:
            return booking  # nothing to do: no audit row for a no-op
        booking.updated_at = timezone.now()
        booking.save(update_fields=fields)
        BookingEvent.objects.create(
            booking=booking,
            actor=actor,
            from_status=from_status if booking.status != from_status else "",
            to_status=booking.status if booking.status != from_status else "",
            from_payment_status=from_pay if booking.payment_status != from_pay else "",
            to_payment_status=booking.payment_status if booking.payment_status != from_pay else "",
            note=note,
        )
        _enqueue_follow_ups(booking, from_status=from_status, from_pay=from_pay)
        return booking


def pre_session_check_enqueue(booking: Booking) -> None:
    """A confirmed booking without its deposit: one payment check 24 h before it starts (or now,
    when that is already past). Each (booking, slot) gets its own job; one for an old slot does
    nothing. The job is the payments app's, named (a lower layer never imports it)."""
    if booking.status != S.CONFIRMED or booking.payment_status in SETTLED_PAYMENT or booking.deposit_amount <= 0:
        return
    at = max(booking.slot - PRE_SESSION_CHECK_LEAD, timezone.now())
    jobs.enqueue("payments.check_before_session", at=at, booking_id=booking.pk, slot=booking.slot.isoformat())


# Moves that end a booking: its deposit is settled by the policy (docs/deposits.md).
SETTLING_STATUSES = frozenset({S.CANCELLED, S.EXPIRED, S.NO_SHOW, S.COMPLETED})


def settle_enqueue(booking: Booking) -> None:
    """The payments app's settle job for this booking: open invoices checked once and cancelled at
    QPay, then the deposit refunded or kept by the policy. One at a time per booking (lock)."""
    jobs.enqueue("payments.settle_deposit", lock=f"deposit-{booking.pk}", booking_id=booking.pk)


# Callables (booking, from_status) that a higher app registers in its AppConfig.ready to follow a
# status move in the move's transaction, under the booking's row lock (consultations: a project
# follows its sessions). A lower layer never imports the app that listens.
status_moved: Hook[Callable[[Booking, str], None]] = Hook("bookings.status_moved")


def _enqueue_follow_ups(booking: Booking, *, from_status: str, from_pay: str) -> None:
    """Jobs a move causes, written in the move's transaction (docs/jobs.md), and the mails."""
    notices.booking_moved(booking, from_status=from_status, from_pay=from_pay)
    if booking.status == from_status:
        return
    for listener in status_moved.providers():
        listener(booking, from_status)
    if booking.status in SETTLING_STATUSES:
        settle_enqueue(booking)
    elif booking.status == S.CONFIRMED:
        pre_session_check_enqueue(booking)
