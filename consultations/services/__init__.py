"""Writes of custom work (docs/consultations.md): requests, their messages, quotes, and projects.

Order of checks on every write (house style): unknown id → 404, not a party → 403 (before anything
in the body is judged), bad input → 400, state → 409. State is judged again under the row locks
(lock order: the customer's row, then the artist's (bookings/rules.py `lock_parties`, only where a
booking may be written), then the request, then its quote, then the project), so a race lost is a
clean 409. A booking is only ever written by bookings.services.create.booking_write_locked, which asks the
one slot rule: an accepted quote and a project's later session are bookings like any other.
"""

from consultations.services.common import (  # noqa: F401 - the app's services, one import path
    EXPIRE_TASK,
    EXPIRING_LEAD,
    EXPIRING_TASK,
    IMAGE_KIND,
    MAX_IMAGES,
    MAX_OPEN_REQUESTS,
    MIN_AGE,
    OVER_STATUSES,
    QUOTE_DEFAULT_LIFE,
    QUOTE_MAX_LIFE,
    USED_STATUSES,
    consultation_for,
    consultation_is_party,
    project_for,
    quote_for,
    require_artist,
    require_project_party,
)
from consultations.services.projects import (  # noqa: F401
    heal_earliest,
    heal_refusal,
    next_session_earliest,
    project_cancel,
    project_cancel_refusal,
    project_follow_booking,
    project_session_book,
    session_booking_refusal,
)
from consultations.services.quotes import (  # noqa: F401
    quote_accept,
    quote_accept_refusal,
    quote_create,
    quote_create_refusal,
    quote_decline,
    quote_expire,
    quote_expiring_tell,
    require_customer,
)
from consultations.services.requests import (  # noqa: F401
    age_on,
    consultation_create,
    consultation_create_refusal,
    consultation_decline,
    consultation_message_create,
    consultation_withdraw,
    message_refusal,
    requests_closed_refusal,
    too_many_requests_refusal,
    underage_refusal,
)
