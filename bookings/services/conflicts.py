"""What a booking write's database conflicts mean to the API (tattoo/core/db.py does the retrying).

An exclusion or unique violation is a slot someone else took (409 `slot_taken`), a CHECK violation
a booking that breaks the schedule's rules (400); serialization failures and deadlocks are retried,
then answered 409 `try_again`. Every write that may touch a booking's time runs through
`booking_write_retry`: create, status moves, reschedule, quote acceptance, a project's sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError
from django.utils.translation import gettext as _

from bookings import rules
from tattoo.core import db
from tattoo.core.errors import ApplicationError, ConflictError

T = TypeVar("T")


def integrity_error_to_api(exc: IntegrityError) -> ApplicationError | None:
    """The API error for a constraint failure on bookings, or None when it is not one we expect."""
    state = db.sqlstate(exc)
    if state in db.CONFLICT_STATES:
        return rules.slot_taken_error()
    if state in db.CHECK_STATES:
        return ApplicationError(_("The booking breaks a rule of the schedule."), code="invalid_booking")
    return None


def busy_error() -> ConflictError:
    """The answer once every retry met another writer."""
    return ConflictError(_("Too many people are booking this artist right now; try again."), code="try_again")


def booking_write_retry(fn: Callable[[], T]) -> T:
    """Run fn() (which opens its own transaction) with db.with_db_retry and the answers above."""
    return db.with_db_retry(fn, integrity_error=integrity_error_to_api, busy=busy_error)
