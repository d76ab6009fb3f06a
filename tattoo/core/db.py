"""PostgreSQL errors a writer answers instead of failing with a 500: retry what is worth a retry, and
let the caller say what a constraint failure means to its API (tattoo/tests/test_db.py).

The core knows the SQLSTATEs, not the rules: the app that owns the constraint maps its violation to
an error (bookings/services/conflicts.py: an overlap is `slot_taken`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, OperationalError

T = TypeVar("T")

# SQLSTATEs (PostgreSQL docs, appendix A): exclusion and unique violations are "someone else got
# there first" (409); a CHECK violation is bad input that slipped past validation (400);
# serialization failures and deadlocks are worth a retry (PostgreSQL docs §13.5).
CONFLICT_STATES = frozenset({"23P01", "23505"})
CHECK_STATES = frozenset({"23514"})
RETRY_STATES = frozenset({"40001", "40P01"})
RETRY_ATTEMPTS = 3


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error: Django's wrapper keeps psycopg's error as its cause."""
    state: str | None = getattr(exc.__cause__, "sqlstate", None) or getattr(exc, "sqlstate", None)
    return state


def with_db_retry(
    fn: Callable[[], T],
    *,
    integrity_error: Callable[[IntegrityError], Exception | None],
    busy: Callable[[], Exception],
    attempts: int = RETRY_ATTEMPTS,
) -> T:
    """Run fn(); retry serialization failures and deadlocks with jitter, then raise busy().

    fn opens its own transaction (each attempt starts afresh). A constraint failure is raised as
    integrity_error(exc) when that returns an error, as it was otherwise; any other database error
    passes unchanged.
    """
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except IntegrityError as exc:
            mapped = integrity_error(exc)
            if mapped is None:
                raise
            raise mapped from exc
        except OperationalError as exc:
            if sqlstate(exc) not in RETRY_STATES:
                raise
            if attempt == attempts:
                raise busy() from exc
            time.sleep(random.uniform(0.005, 0.03) * attempt)  # noqa: S311 - jitter, not crypto
    raise AssertionError("unreachable")
