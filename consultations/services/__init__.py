"""Writes of custom work (docs/consultations.md), one module per concern; import from the module
that owns the function:

- `common`: the constants, reading one request, quote or project for a caller (unknown id → 404,
  not a party → 403), the amount and field-error helpers;
- `requests`: sending a request, its messages, withdraw and decline;
- `quotes`: the artist's quote, its expiry and reminder, accept (the project and its first
  session) and decline;
- `projects`: a project's later sessions, the heal time between them, cancelling, and the project
  following its sessions' status moves.

Order of checks on every write (house style): unknown id → 404, not a party → 403 (before anything
in the body is judged), bad input → 400, state → 409. State is judged again under the row locks
(lock order: the customer's row, then the artist's (bookings/rules.py `lock_parties`, only where a
booking may be written), then the request, then its quote, then the project), so a race lost is a
clean 409. A booking is only ever written by bookings.services.create.booking_write_locked, which asks the
one slot rule: an accepted quote and a project's later session are bookings like any other.
"""
