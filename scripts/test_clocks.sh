#!/usr/bin/env bash
# `make test-clocks` (run by .ci/run after `make test`): the date-sensitive test modules again,
# each time with the process clock moved (testing/clock.py, `--clock`) to an instant where
# calendars go wrong. Any extra arguments go to pytest. Exits non-zero if any instant fails.
set -uo pipefail
cd "$(dirname "$0")/.."

# The modules whose outcome could depend on the date: slots, bookings, reschedule, holds,
# status moves, reports, calendar feed, pages that show times, the artist search's free times, and
# what counts days from a session (the consent's age and its mail, the healed photo, aftercare),
# custom work (ages on the day, quote expiry, heal time between sessions, the 90-day figures).
MODULES=(
  bookings/tests/test_slots.py
  bookings/tests/test_availability_api.py
  bookings/tests/test_booking_create.py
  bookings/tests/test_reschedule.py
  bookings/tests/test_expire_holds.py
  bookings/tests/test_status_moves.py
  bookings/tests/test_session_outcome.py
  bookings/tests/test_churn_rates.py
  payments/tests/test_deposit_window.py
  payments/tests/test_late_payment_rule.py
  tattoo/tests/test_site_booking_form.py
  tattoo/tests/test_site_bookings.py
  tattoo/tests/test_site_dashboard.py
  tattoo/tests/test_site_calendar.py
  tattoo/tests/test_site_csrf.py
  disputes/tests/test_django_admin.py
  disputes/tests/test_admin_api.py
  tests/test_access_matrix.py
  tattoo/tests/test_idempotency.py
  tattoo/tests/test_local_times.py
  search/tests/test_free_time.py
  search/tests/test_filters_and_sorts.py
  search/tests/test_list_api.py
  search/tests/test_pages.py
  bookings/tests/test_consent.py
  reviews/tests/test_reviews_api.py
  reviews/tests/test_aftercare.py
  consultations/tests/test_requests_api.py
  consultations/tests/test_quotes_api.py
  consultations/tests/test_projects_api.py
  consultations/tests/test_pages.py
  consultations/tests/test_figures.py
  backoffice/tests/test_pages.py
  backoffice/tests/test_weekly_report.py
  backoffice/tests/test_trust_report.py
  backoffice/tests/test_consultation_report.py
)

INSTANTS=(
  "2027-01-03T23:30:00+08:00"   # a Sunday, 23:30 in Asia/Ulaanbaatar (the week and the day roll over)
  "2027-03-27T23:30:00+01:00"   # Saturday night before Europe/Berlin springs forward (Sun 28 Mar 02:00)
  "2027-10-30T23:30:00+02:00"   # Saturday night before Europe/Berlin falls back (Sun 31 Oct 03:00)
  "2026-12-31T23:50:00+00:00"   # New Year's Eve, 23:50 UTC (08:50 on 1 January in Ulaanbaatar)
  "2028-02-29T15:50:00+00:00"   # 29 February, 23:50 in Ulaanbaatar (the local day rolls into 1 March)
)

failed=()
for instant in "${INSTANTS[@]}"; do
  echo "== clock $instant"
  if ! .venv/bin/python scripts/devenv.py --test -- python -m pytest -n 2 -q \
      --clock="$instant" "${MODULES[@]}" "$@"; then
    failed+=("$instant")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "test-clocks: failed at ${failed[*]}" >&2
  exit 1
fi
echo "test-clocks: ${#INSTANTS[@]} instants green"
