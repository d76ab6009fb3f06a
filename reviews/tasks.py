"""Aftercare jobs (docs/jobs.md): thin, calling reviews/aftercare.py."""

from __future__ import annotations

from reviews import aftercare
from tattoo.core.jobs import app


@app.task(name="reviews.start_aftercare")
def start_aftercare(booking_id: int) -> int:
    """Enqueued with the move to `completed`: the day-0 mail now, the later ones planned."""
    return aftercare.aftercare_start(booking_id=booking_id)


@app.task(name=aftercare.SEND_TASK)
def send_aftercare(booking_id: int, day: int) -> int:
    """Day 3 and day HEALED_PHOTO_DAYS after the session: one aftercare mail, if still wanted."""
    return aftercare.aftercare_send(booking_id=booking_id, day=day)
