"""Job bodies of custom work (docs/jobs.md): a few lines that call a service."""

from __future__ import annotations

from consultations.services.common import EXPIRE_TASK, EXPIRING_TASK
from consultations.services.quotes import quote_expire, quote_expiring_tell
from tattoo.core.jobs import app


@app.task(name=EXPIRE_TASK)
def expire_quote(quote_id: int) -> str:
    """At an open quote's expiresAt: expired with its request, both parties mailed (a quote that is
    no longer open: nothing)."""
    return quote_expire(quote_id=quote_id)


@app.task(name=EXPIRING_TASK)
def quote_expiring(quote_id: int) -> str:
    """12 hours before an open quote expires: the customer is reminded (nothing once it closed)."""
    return quote_expiring_tell(quote_id=quote_id)
