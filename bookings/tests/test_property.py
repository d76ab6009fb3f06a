# ruff: noqa: PT017 - a state machine rule checks the outcome it got against the model, either way
"""Property test (Hypothesis, stateful): random creates, raw inserts, cancels, confirms and expiries
across three artists never leave two overlapping active bookings, and the database always matches
a plain in-memory model of what should have happened.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.models import Availability, Booking, BookingStatus
from bookings.services.conflicts import booking_write_retry
from bookings.services.create import booking_create
from bookings.services.expiry import booking_expire_holds
from bookings.services.moves import booking_change_status
from bookings.tests.factories import BookingFactory
from tattoo.core.errors import ApplicationError, ConflictError

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DAY = datetime(2026, 6, 3, tzinfo=UTC)
SESSIONS = (60, 90, 120)
ACTIVE = {BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.DISPUTED}

OVERLAPPING_ACTIVE_PAIRS = """
    SELECT count(*) FROM bookings a JOIN bookings b
      ON a.tattooist_id = b.tattooist_id AND a.id < b.id
     AND tstzrange(a.slot, a.ends_at) && tstzrange(b.slot, b.ends_at)
     WHERE a.status IN ('pending', 'confirmed', 'disputed') AND b.status IN ('pending', 'confirmed', 'disputed')
       AND a.holds_slot AND b.holds_slot
"""

starts = st.integers(min_value=0, max_value=20 * 4).map(lambda q: DAY + timedelta(minutes=15 * q))
artist_index = st.integers(min_value=0, max_value=len(SESSIONS) - 1)


class BookingMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # each example runs in its own savepoint, rolled back in teardown
        self.artists = [TattooistFactory(timezone="UTC", session_minutes=m) for m in SESSIONS]
        Availability.objects.bulk_create(
            [
                Availability(tattooist=a, day=d, start_time=time(0), end_time=time(23, 59))
                for a in self.artists
                for d in range(7)
            ]
        )
        self.customer = CustomerFactory()
        self.model: dict[int, dict] = {}  # booking id -> {artist, start, end, status}

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _free(self, artist: int, start: datetime, end: datetime) -> bool:
        return not any(
            b["artist"] == artist and b["status"] in ACTIVE and b["start"] < end and start < b["end"]
            for b in self.model.values()
        )

    @rule(artist=artist_index, start=starts)
    def create(self, artist, start):
        end = start + timedelta(minutes=SESSIONS[artist])
        expected = self._free(artist, start, end)
        try:
            booking = booking_create(
                customer=self.customer, tattooist_id=self.artists[artist].pk, slot=start, deposit_amount=50000, now=NOW
            )
        except ConflictError as exc:
            assert not expected, exc.message
            assert exc.code == "slot_taken"
            return
        assert expected, "an overlapping booking was accepted"
        self.model[booking.pk] = {"artist": artist, "start": start, "end": end, "status": BookingStatus.PENDING}

    @rule(artist=artist_index, start=starts, status=st.sampled_from([BookingStatus.PENDING, BookingStatus.CONFIRMED]))
    def insert_around_the_service(self, artist, start, status):
        """A writer that skips the service's checks still meets the exclusion constraint."""
        end = start + timedelta(minutes=SESSIONS[artist])
        expected = self._free(artist, start, end)

        def write():
            with transaction.atomic():
                return BookingFactory(
                    customer=self.customer, tattooist=self.artists[artist], slot=start, ends_at=end, status=status
                )

        try:
            booking = booking_write_retry(write)
        except ConflictError as exc:
            assert not expected
            assert exc.code == "slot_taken"
            return
        assert expected
        self.model[booking.pk] = {"artist": artist, "start": start, "end": end, "status": status}

    def _pick(self, data):
        if not self.model:
            return None
        return data.draw(st.sampled_from(sorted(self.model)))

    @rule(data=st.data())
    def cancel(self, data):
        pk = self._pick(data)
        if pk is None:
            return
        entry = self.model[pk]
        allowed = entry["status"] in (BookingStatus.PENDING, BookingStatus.CONFIRMED)
        try:
            booking_change_status(booking_id=pk, actor=self.customer, to_status=BookingStatus.CANCELLED)
        except ApplicationError as exc:
            assert not allowed, exc.message
            return
        assert allowed
        entry["status"] = BookingStatus.CANCELLED

    @rule(data=st.data())
    def confirm(self, data):
        pk = self._pick(data)
        if pk is None:
            return
        entry = self.model[pk]
        allowed = entry["status"] == BookingStatus.PENDING
        try:
            booking_change_status(
                booking_id=pk, actor=self.artists[entry["artist"]].user, to_status=BookingStatus.CONFIRMED
            )
        except ApplicationError as exc:
            assert not allowed, exc.message
            return
        assert allowed
        entry["status"] = BookingStatus.CONFIRMED

    @rule(data=st.data())
    def expire(self, data):
        pk = self._pick(data)
        if pk is None:
            return
        # this hold's time runs out; the job then expires it if it is still a pending, unpaid hold
        Booking.objects.filter(pk=pk).update(hold_expires_at=NOW - timedelta(minutes=1))
        report = booking_expire_holds(now=NOW)
        entry = self.model[pk]
        if entry["status"] == BookingStatus.PENDING:
            assert report.expired == 1
            entry["status"] = BookingStatus.EXPIRED
        else:
            assert report.expired == 0

    @invariant()
    def no_overlapping_active_pair(self):
        with connection.cursor() as cursor:
            cursor.execute(OVERLAPPING_ACTIVE_PAIRS)
            assert cursor.fetchone()[0] == 0

    @invariant()
    def database_matches_the_model(self):
        assert dict(Booking.objects.values_list("pk", "status")) == {pk: b["status"] for pk, b in self.model.items()}


# Bounded so the suite stays under 5 minutes; raise HYPOTHESIS_BOOKING_EXAMPLES for a longer hunt (docs/development.md).
PROPERTY_SETTINGS = hypothesis_settings(
    max_examples=int(os.environ.get("HYPOTHESIS_BOOKING_EXAMPLES", "60")),
    stateful_step_count=15,
    deadline=None,
    database=None,  # no .hypothesis/ directory written by test runs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.long
@pytest.mark.django_db
def test_random_booking_histories_never_double_book(settings):
    # the hold limits are tested elsewhere; here they would only get in the way
    settings.BOOKING_MAX_UNPAID_HOLDS = settings.BOOKING_MAX_UNPAID_HOLDS_PER_ARTIST_DAY = 10_000
    run_state_machine_as_test(BookingMachine, settings=PROPERTY_SETTINGS)
