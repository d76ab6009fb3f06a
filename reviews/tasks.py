"""Aftercare jobs (docs/jobs.md): thin, calling reviews/aftercare.py."""

from __future__ import annotations

from reviews import aftercare
from tattoo.core.jobs import app


@app.task(name=aftercare.SEND_TASK)
def send_aftercare(booking_id: int, day: int) -> int:
    """Planned with the move to `completed` (bookings/notices.py aftercare_plan): day 0, 3 and
    HEALED_PHOTO_DAYS after the session, one aftercare mail, if still wanted."""
    return aftercare.aftercare_send(booking_id=booking_id, day=day)
