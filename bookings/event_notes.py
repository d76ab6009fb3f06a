"""The booking history's notes in the reader's language.

A BookingEvent's `note` is the audit record, written once in English by the flow that made the
move ("QPay invoice … issued for 50000.00 MNT"), and never rewritten. The booking page shows it
through `note_display`: the notes the flows write are recognised here and said again in the active
language, amounts as `format_mnt`; anything else (what a person typed) is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bookings.models import status_word
from tattoo.core.money import format_mnt


def _when(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return date_format(moment, "SHORT_DATETIME_FORMAT") + " UTC"


def _one(part: str) -> str:
    """A single note (a flow may join two with "; ")."""
    for pattern, say in _NOTES:
        found = pattern.fullmatch(part)
        if found:
            return say(found)
    return part


_NOTES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (re.compile(r"booked"), lambda m: _("booked")),
    (re.compile(r"seeded"), lambda m: _("seeded")),
    (re.compile(r"hold expired"), lambda m: _("hold expired")),
    (re.compile(r"QPay invoice cancelled"), lambda m: _("QPay invoice cancelled")),
    (re.compile(r"QPay accepted the card refund"), lambda m: _("QPay accepted the card refund")),
    (re.compile(r"late payment re-took the slot"), lambda m: _("late payment re-took the slot")),
    (
        re.compile(r"QPay invoice (\S+) issued for ([\d.]+) MNT"),
        lambda m: _("QPay invoice %(invoice)s issued for %(amount)s") % {"invoice": m[1], "amount": format_mnt(m[2])},
    ),
    (
        re.compile(r"QPay payment (\S+): ([\d.]+) MNT"),
        lambda m: _("QPay payment %(payment)s: %(amount)s") % {"payment": m[1], "amount": format_mnt(m[2])},
    ),
    (
        re.compile(r"rescheduled from (\S+) to (\S+)"),
        lambda m: _("rescheduled from %(before)s to %(after)s") % {"before": _when(m[1]), "after": _when(m[2])},
    ),
    (re.compile(r"dispute (\d+) opened"), lambda m: _("dispute %(number)s opened") % {"number": m[1]}),
    (
        re.compile(r"dispute (\d+) resolved: (\w+)"),
        lambda m: _("dispute %(number)s resolved: %(status)s") % {"number": m[1], "status": status_word(m[2])},
    ),
    (
        re.compile(r"refund ([\d.]+) MNT: (.*)", re.S),
        lambda m: _("refund of %(amount)s: %(reason)s") % {"amount": format_mnt(m[1]), "reason": m[2]},
    ),
    (
        re.compile(r"deposit settled: ([\d.]+) MNT refunded, ([\d.]+) MNT kept"),
        lambda m: (
            _("deposit settled: %(refunded)s refunded, %(kept)s kept")
            % {"refunded": format_mnt(m[1]), "kept": format_mnt(m[2])}
        ),
    ),
]


def note_display(note: str) -> str:
    return "; ".join(_one(part) for part in note.split("; ")) if note else ""
