"""Writes of bookings and of the artist's schedule, one module per concern; import from the module
that owns the function:

- `schedule`: the artist's booking settings, weekly availability, time off, calendar feed secret;
- `create`: who may book, the request's checks, THE booking writer (`booking_write_locked`);
- `moves`: status changes by hand (the refusals pages ask) and reschedule;
- `expiry`: unpaid holds running out, after the `before_hold_expiry` hook;
- `conflicts`: what a booking write's database conflicts answer (409 `slot_taken`, `try_again`).

Every status move goes through `bookings.transitions.booking_move`.
"""
