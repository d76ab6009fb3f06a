"""Audit notes in the reader's language: the booking history, refund reasons and ledger notes.

A BookingEvent's `note`, a Refund's `reason` and a LedgerEvent's `note` are the audit record,
written once in English by the flow that made the move ("QPay invoice … issued for 50000.00 MNT",
"paid more than the deposit") and never rewritten. Pages and the admin show them through
`note_display`: every note a flow writes is recognised here and said again in the active language,
amounts through tattoo.core.l10n.money, moments on the booking's clock (its artist's zone); anything
else (what a person typed: a status note, a dispute's resolution) is shown as written.

A flow that writes a new note adds its pattern here (bookings/tests/test_event_notes.py lists the
notes the flows write and fails on one shown in English).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from bookings.models import status_word
from tattoo.core import l10n


def _when(iso: str, zone: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return l10n.short_datetime(moment, zone)


def _money(amount: str) -> str:
    return l10n.money(amount)


Say = Callable[[re.Match, str], str]

_NOTES: list[tuple[re.Pattern, Say]] = [
    # --- booking history ---
    (re.compile(r"booked"), lambda m, z: _("booked")),
    (re.compile(r"seeded"), lambda m, z: _("seeded")),
    (re.compile(r"hold expired"), lambda m, z: _("hold expired")),
    (re.compile(r"QPay invoice cancelled"), lambda m, z: _("QPay invoice cancelled")),
    (re.compile(r"QPay accepted the card refund"), lambda m, z: _("QPay accepted the card refund")),
    (re.compile(r"late payment re-took the slot"), lambda m, z: _("late payment re-took the slot")),
    (
        re.compile(r"arrived after the slot was lost(?: \([a-z_]+\))?: refunded"),
        lambda m, z: _("the payment arrived after the slot was lost, so it is refunded"),
    ),
    (
        re.compile(r"QPay invoice (\S+) issued for ([\d.]+) MNT"),
        lambda m, z: _("QPay invoice %(invoice)s issued for %(amount)s") % {"invoice": m[1], "amount": _money(m[2])},
    ),
    (
        re.compile(r"QPay payment (\S+): ([\d.]+) MNT"),
        lambda m, z: _("QPay payment %(payment)s: %(amount)s") % {"payment": m[1], "amount": _money(m[2])},
    ),
    (
        re.compile(r"rescheduled from (\S+) to (\S+)"),
        lambda m, z: (
            _("rescheduled from %(before)s to %(after)s") % {"before": _when(m[1], z), "after": _when(m[2], z)}
        ),
    ),
    (re.compile(r"dispute (\d+) opened"), lambda m, z: _("dispute %(number)s opened") % {"number": m[1]}),
    (
        re.compile(r"dispute (\d+) resolved: (\w+), refund ([\d.]+) MNT"),
        lambda m, z: (
            _("dispute %(number)s resolved: %(status)s, %(amount)s refunded")
            % {"number": m[1], "status": status_word(m[2]), "amount": _money(m[3])}
        ),
    ),
    (
        re.compile(r"dispute (\d+) resolved: (\w+)"),
        lambda m, z: _("dispute %(number)s resolved: %(status)s") % {"number": m[1], "status": status_word(m[2])},
    ),
    (
        re.compile(r"refund ([\d.]+) MNT: (.*)", re.S),
        lambda m, z: _("refund of %(amount)s: %(reason)s") % {"amount": _money(m[1]), "reason": _phrase(m[2], z)},
    ),
    (
        re.compile(r"deposit settled: ([\d.]+) MNT refunded, ([\d.]+) MNT kept"),
        lambda m, z: (
            _("deposit settled: %(refunded)s refunded, %(kept)s kept")
            % {"refunded": _money(m[1]), "kept": _money(m[2])}
        ),
    ),
    (
        re.compile(r"deposit applied: ([\d.]+) MNT"),
        lambda m, z: _("deposit of %(amount)s applied to the session") % {"amount": _money(m[1])},
    ),
    (re.compile(r"project cancelled"), lambda m, z: _("project cancelled")),
    # --- refund reasons and ledger notes (payments/ledger.py) ---
    (
        re.compile(r"project deposit applied to (?:this|the last) session"),
        lambda m, z: _("the project's deposit was applied to the session"),
    ),
    (
        re.compile(r"project cancelled: full refund under the deposit policy"),
        lambda m, z: _("project cancelled: a full refund under the deposit policy"),
    ),
    (
        re.compile(r"customer cancelled the project within (\d+) h of the session"),
        lambda m, z: _("the customer cancelled the project within %(hours)s h of the session") % {"hours": m[1]},
    ),
    (re.compile(r"paid more than the deposit"), lambda m, z: _("paid more than the deposit")),
    (re.compile(r"counts toward the price"), lambda m, z: _("counts toward the price")),
    (re.compile(r"customer did not show"), lambda m, z: _("the customer did not come")),
    (
        re.compile(r"customer cancelled within (\d+) h of the start"),
        lambda m, z: _("the customer cancelled within %(hours)s h of the start") % {"hours": m[1]},
    ),
    (
        re.compile(r"arrived after the booking was cancelled"),
        lambda m, z: _("the payment arrived after the booking was cancelled"),
    ),
    (
        re.compile(r"booking cancelled: full refund under the deposit policy"),
        lambda m, z: _("booking cancelled: a full refund under the deposit policy"),
    ),
    (re.compile(r"booking (\w+)"), lambda m, z: _("booking %(status)s") % {"status": status_word(m[1])}),
    (re.compile(r"refunded by hand"), lambda m, z: _("refunded by hand")),
    (
        re.compile(r"QPay payment (\S+) \((.*)\)"),
        lambda m, z: (
            _("QPay payment %(payment)s (%(type)s)")
            % {"payment": m[1], "type": _("unknown type") if m[2] == "unknown type" else m[2]}
        ),
    ),
    # A staff member's resolution text after the number: the text as written.
    (
        re.compile(r"dispute (\d+): (.*)", re.S),
        lambda m, z: _("dispute %(number)s: %(text)s") % {"number": m[1], "text": m[2]},
    ),
]


def _phrase(part: str, zone: str) -> str:
    """A single note (a flow may join two with "; ")."""
    for pattern, say in _NOTES:
        found = pattern.fullmatch(part)
        if found:
            return say(found, zone)
    return part


def note_display(note: str, zone: str = "UTC") -> str:
    """`note` in the active language; moments in it on `zone`'s clock (the booking's artist's)."""
    return "; ".join(_phrase(part, zone) for part in note.split("; ")) if note else ""
