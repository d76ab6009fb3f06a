"""Writes of bookings and of the artist's schedule, one module per concern; import from the module
that owns the function:

- `schedule`: the artist's booking settings, weekly availability, time off, calendar feed secret;
- `create`: who may book, the request's checks, THE booking writer (`booking_write_locked`);
- `moves`: status changes by hand (the refusals pages ask) and reschedule;
- `expiry`: unpaid holds running out, after the `before_hold_expiry` hook;
- `conflicts`: what a booking write's database conflicts answer (409 `slot_taken`, `try_again`).

Every status move goes through `bookings.transitions.booking_move`.
"""

# The names tattoo/site/views.py still reaches as `services.<name>`, kept while that module is
# split; new code imports from the owning module.
from bookings.services.create import booking_create, booking_create_refusal
from bookings.services.moves import allowed_moves, booking_change_status, booking_reschedule, reschedule_refusal
from bookings.services.schedule import (
    availability_create,
    availability_delete,
    calendar_token_rotate,
    tattooist_update_settings,
    time_off_create,
    time_off_delete,
)

__all__ = [
    "allowed_moves",
    "availability_create",
    "availability_delete",
    "booking_change_status",
    "booking_create",
    "booking_create_refusal",
    "booking_reschedule",
    "calendar_token_rotate",
    "reschedule_refusal",
    "tattooist_update_settings",
    "time_off_create",
    "time_off_delete",
]
