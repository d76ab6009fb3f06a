"""The benchmark seeds' bookings (bench/seed.py, bench/seed_scale.py), written set-wise in SQL.

Hundreds of thousands of bookings cannot go through the services in seconds (a create alone is
~2 ms, and a past session cannot be booked at all), so these rows are written in bulk. Their values
are the ones the services would have written and the slot rule (bookings/rules.py `slot_refusal`)
accepts; tattoo/tests/test_seed_scale.py checks every row of a small seed against that rule:

- a slot is the opening of one of the artist's weekly windows long enough for the session, on the
  artist's own calendar (its zone, DST included), on a day without time off; one a day at most,
  so active bookings never overlap; `ends_at` = slot + the artist's session length;
- the booking was made before its slot, within the notice and the horizon (created 20 days ahead,
  or an hour ago when that would be in the future); its hold's expiry is the create's
  (BOOKING_HOLD_MINUTES after it), its deposit the artist's minimum and its refund window the
  artist's, fixed (`refundable_until`) because a deposit arrived;
- statuses the transition table reaches: a session that began is `completed` (updated at its end,
  or now while it lasts) or `cancelled`, one ahead `confirmed` or `cancelled`; a cancelled booking's deposit `refunded`,
  every other `paid`.

What the bulk path leaves out (the services would have written it): the bookings' audit rows,
their transactions, payment rows, refunds and ledger events, the completed sessions' consent
records, and the jobs and mails. The load scenario and the read benchmarks read none of them; the
manage.py seed (tattoo/site/management/commands/seed.py) goes through the services instead.
"""

from __future__ import annotations

HOLD_MINUTES = 30  # settings.BOOKING_HOLD_MINUTES's default: a hold's expiry, written by the create


def bookings_sql(*, each: int, customers: int, first_day: int, last_day: int) -> str:
    """INSERT ... SELECT of up to `each` bookings per artist, spread evenly over the artist's working
    days from `first_day` to `last_day` (days from today, UTC; `last_day` inside the 90-day
    horizon), their customers spread over the `customers` customer accounts (consecutive ids)."""
    if last_day > 88:
        raise ValueError("bookings are made at most 90 days ahead (BOOKING_HORIZON_DAYS)")
    return f"""
WITH days AS (
  SELECT d::date AS day
  FROM generate_series((now() AT TIME ZONE 'UTC')::date + {first_day},
                       (now() AT TIME ZONE 'UTC')::date + {last_day}, interval '1 day') AS d
), numbered AS (
  -- per artist: each working day's opening (the first window that holds a whole session), on the
  -- artist's clock, without time off, numbered in order (a sort of one artist's days at a time)
  SELECT t.id AS tid, t.min_deposit AS deposit, t.deposit_refundable_hours AS window_hours, w.slot,
         w.slot + t.session_minutes * interval '1 minute' AS ends_at, w.rn, w.n
  FROM tattooists t
  CROSS JOIN LATERAL (
    SELECT o.slot, row_number() OVER (ORDER BY o.slot) AS rn, count(*) OVER () AS n
    FROM (
      SELECT (days.day + min(a.start_time)) AT TIME ZONE t.timezone AS slot
      FROM days
      JOIN availability a ON a.tattooist_id = t.id AND a.day = extract(dow FROM days.day)::int
       AND a.end_time - a.start_time >= t.session_minutes * interval '1 minute'
      GROUP BY days.day
    ) o
    WHERE NOT EXISTS (
      SELECT 1 FROM time_off x
      WHERE x.tattooist_id = t.id AND x.starts_at < o.slot + t.session_minutes * interval '1 minute'
        AND x.ends_at > o.slot)
  ) w
), picked AS (
  -- the first working day of each of `each` equal stretches of the artist's working days
  SELECT nb.*, ((nb.rn - 1) * {each}) / nb.n AS g,
         least(nb.slot - interval '20 days', now() - interval '1 hour') AS made
  FROM numbered nb
  WHERE nb.rn = 1 OR ((nb.rn - 1) * {each}) / nb.n > ((nb.rn - 2) * {each}) / nb.n
), shaped AS (
  SELECT p.*, CASE WHEN p.slot < now() THEN (CASE WHEN p.g % 9 = 0 THEN 'cancelled' ELSE 'completed' END)
                   WHEN p.g % 3 = 0 THEN 'cancelled' ELSE 'confirmed' END AS status
  FROM picked p
)
INSERT INTO bookings (slot, ends_at, status, deposit_amount, payment_status, notes, hold_expires_at,
                      deposit_refundable_hours, refundable_until, created_at, updated_at, customer_id,
                      tattooist_id)
SELECT s.slot, s.ends_at, s.status, s.deposit, CASE s.status WHEN 'cancelled' THEN 'refunded' ELSE 'paid' END, '',
       s.made + interval '{HOLD_MINUTES} minutes', s.window_hours, s.slot - s.window_hours * interval '1 hour',
       s.made, CASE s.status WHEN 'completed' THEN least(s.ends_at, now()) ELSE s.made END,
       c.first + (s.tid * 7919 + s.g * 31) % {customers}, s.tid
FROM shaped s, (SELECT min(id) AS first FROM users WHERE role = 'customer') c;
"""
