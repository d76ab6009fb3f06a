"""Until when a customer's cancel gets the deposit back: the free-cancel deadline of a booking
(docs/deposits.md, "The free-cancel deadline").

The right is fixed by the start in force when the deposit was paid: the first money recorded for a
booking stores `refundable_until` = that start - `deposit_refundable_hours` (payments/ledger.py
`payments_record`), and the policy reads it from then on (`refund_deadline`). Rescheduling cannot
be used to dodge it:

- a customer's own move never changes it: moving a booking 60 days out does not buy a free cancel;
- an artist's or staff's move can only give time, never take it: the deadline becomes the later of
  the old one and the new start - the window; if that has passed already (a move inside the window,
  e.g. to tomorrow), the customer may refuse the new time for a full refund until it starts.

Before any money arrives nothing is fixed: the deadline follows the booking's start.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bookings.models import Booking


def window_deadline(booking: Booking, *, slot: datetime | None = None) -> datetime:
    """The start (the booking's, or `slot`) less the booking's refund window."""
    return (slot or booking.slot) - timedelta(hours=booking.deposit_refundable_hours)


def refund_deadline(booking: Booking) -> datetime:
    """The deadline in force: fixed once money arrived, else the current start less the window."""
    return booking.refundable_until or window_deadline(booking)


def deadline_after_move(*, booking: Booking, slot: datetime, by_customer: bool, now: datetime) -> datetime | None:
    """`refundable_until` once `booking` moves to `slot`: None while nothing is fixed (no money yet)."""
    fixed = booking.refundable_until
    if fixed is None or by_customer:
        return fixed
    deadline = max(fixed, window_deadline(booking, slot=slot))
    return deadline if deadline > now else slot
