"""Booking jobs (docs/jobs.md): each hold's own expiry, and the minute sweep behind it."""

from __future__ import annotations

from datetime import timedelta

from bookings import consent, notices
from bookings.models import Booking
from bookings.services.expiry import EARLY, EXPIRE_HOLD_TASK, KEPT, booking_expire_hold, booking_expire_holds
from tattoo.core import jobs
from tattoo.core.errors import UpstreamUnavailable
from tattoo.core.jobs import OUTSIDE_SERVICE_RETRY, app

# The sweep leaves holds alone until they are this late, so it does not race their own jobs.
SWEEP_GRACE = timedelta(seconds=60)


@app.task(name=EXPIRE_HOLD_TASK, retry=OUTSIDE_SERVICE_RETRY)
def expire_hold(booking_id: int) -> str:
    """At the hold's `hold_expires_at`: expire it unless it was paid, cancelled or is no longer
    due (then a no-op). Retried with backoff while the payment check cannot be made."""
    outcome = booking_expire_hold(booking_id=booking_id)
    if outcome == KEPT:
        raise UpstreamUnavailable(f"booking {booking_id}: the last payment check could not be made; hold kept")
    if outcome == EARLY:  # clocks disagree by a moment: come back at the hold's own time
        held = Booking.objects.filter(pk=booking_id).values_list("hold_expires_at", flat=True).first()
        if held is not None:
            jobs.enqueue(expire_hold, at=held, booking_id=booking_id)
    return outcome


@app.periodic(cron="* * * * *", periodic_id="expire_holds")
@app.task(name="bookings.expire_holds", queueing_lock="bookings.expire_holds")
def expire_holds(timestamp: int | None = None, overdue_by_seconds: int | None = None, limit: int = 500) -> dict:
    """Every minute, the safety net: holds whose own job did not expire them (a job that ended
    failed, rows written without one). `manage.py expire_holds` runs it with no grace period."""
    overdue_by = SWEEP_GRACE if overdue_by_seconds is None else timedelta(seconds=overdue_by_seconds)
    report = booking_expire_holds(overdue_by=overdue_by, limit=limit)
    return {"expired": report.expired, "kept": report.kept}


@app.task(name="bookings.send_reminder")
def send_reminder(booking_id: int, slot: str) -> int:
    """REMINDER_HOURS before a confirmed session: remind both parties, unless it moved or ended."""
    return notices.booking_remind(booking_id=booking_id, slot=slot)


@app.task(name=notices.CONSENT_REQUEST_TASK)
def send_consent_request(booking_id: int, slot: str) -> int:
    """CONSENT_REQUEST_HOURS before a confirmed session: the customer gets the consent form's link,
    unless it is signed, or the booking moved or ended."""
    return notices.consent_request_send(booking_id=booking_id, slot=slot)


@app.periodic(cron="47 2 * * *", periodic_id="purge_consents")
@app.task(name="bookings.purge_consents", queueing_lock="bookings.purge_consents")
def purge_consents(timestamp: int | None = None) -> int:
    """Daily: delete the consents (with their answers) of sessions older than CONSENT_RETENTION_DAYS."""
    return consent.consents_purge()
