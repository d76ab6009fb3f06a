from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings.models import Booking, BookingEvent, BookingStatus, PaymentStatus, TimeOff
from bookings.services.create import booking_create
from bookings.tests.factories import BookingFactory
from bookings.tests.helpers import NOW, open_every_day
from bookings.transitions import booking_move
from tattoo.core.errors import ApplicationError, ConflictError
from testing.clients import client_for

pytestmark = pytest.mark.django_db

# Wednesday 2026-06-03 12:00 in Ulaanbaatar (+08:00) = 04:00Z, inside the 10:00-18:00 window.
NOON = datetime(2026, 6, 3, 4, 0, tzinfo=UTC)


def post(user, **body):
    payload = {"tattooistId": body.pop("tattooist").pk, "depositAmount": "50000", **body}
    return client_for(user).post("/api/bookings", payload, format="json")


def test_it_creates_a_pending_unpaid_hold_with_an_audit_row(frozen, open_artist, customer):
    response = post(customer, tattooist=open_artist, slot="2026-06-03T12:00:00+08:00", notes="a koi on the arm")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "id", "customerId", "tattooistId", "slot", "endsAt", "status", "paymentStatus",
        "depositAmount", "notes", "createdAt", "updatedAt",
    }  # fmt: skip
    assert body["customerId"] == customer.pk
    assert body["tattooistId"] == open_artist.pk
    assert body["slot"] == "2026-06-03T04:00:00Z"
    assert body["endsAt"] == "2026-06-03T06:00:00Z"
    assert (body["status"], body["paymentStatus"]) == ("pending", "unpaid")
    assert body["depositAmount"] == "50000.00"
    booking = Booking.objects.get()
    assert booking.hold_expires_at == NOW + timedelta(minutes=30)
    assert booking.deposit_amount == Decimal("50000.00")
    event = BookingEvent.objects.get()
    assert (event.from_status, event.to_status, event.to_payment_status) == ("", "pending", "unpaid")
    assert event.actor_id == customer.pk


@pytest.mark.parametrize(
    ("slot", "code"),
    [
        ("2026-06-03T12:00:00", "invalid"),  # no offset
        ("2026-06-03", "invalid"),
        ("not a time", "invalid"),
        ("2026-05-31T12:00:00+08:00", "too_soon"),  # in the past
        ("2026-06-01T09:00:00+08:00", "too_soon"),  # one hour ahead, notice is two
        ("2026-09-01T12:00:00+08:00", "beyond_horizon"),  # 92 days ahead
        ("2026-06-03T09:00:00+08:00", "outside_availability"),  # starts before the window
        ("2026-06-03T17:00:00+08:00", "outside_availability"),  # ends after the window
        ("2026-06-03T09:00:00Z", "outside_availability"),  # 17:00 local
    ],
)
def test_it_refuses_a_slot_that_breaks_the_rules_with_400(frozen, open_artist, customer, slot, code):
    response = post(customer, tattooist=open_artist, slot=slot)

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert "slot" in response.json()["fields"]
    assert not Booking.objects.exists()


def test_it_accepts_the_same_instant_written_with_any_offset(frozen, open_artist, customer):
    response = post(customer, tattooist=open_artist, slot="2026-06-02T22:00:00-06:00")  # = 04:00Z on 3 June

    assert response.status_code == 201, response.json()
    assert response.json()["slot"] == "2026-06-03T04:00:00Z"


def test_it_refuses_a_day_without_a_window(frozen, tattooist, customer):
    open_every_day(tattooist)
    tattooist.availability.filter(day=3).delete()  # no Wednesday hours

    response = post(customer, tattooist=tattooist, slot="2026-06-03T12:00:00+08:00")

    assert response.status_code == 400
    assert response.json()["code"] == "outside_availability"


def test_it_uses_the_artists_local_day_not_the_utc_day(frozen, tattooist, customer):
    # 01:00 local on Thursday is still Wednesday in UTC; only a Thursday window may hold it.
    open_every_day(tattooist)
    tattooist.availability.all().delete()
    open_every_day(tattooist, start=datetime.min.time())
    tattooist.availability.exclude(day=4).delete()

    assert post(customer, tattooist=tattooist, slot="2026-06-04T01:00:00+08:00").status_code == 201
    assert post(CustomerFactory(), tattooist=tattooist, slot="2026-06-03T01:00:00+08:00").status_code == 400


def test_it_refuses_an_unapproved_or_unknown_artist(frozen, customer):
    pending_artist = TattooistFactory(approved=False, approved_at=None)
    open_every_day(pending_artist)

    response = post(customer, tattooist=pending_artist, slot="2026-06-03T12:00:00+08:00")
    assert response.status_code == 400
    assert response.json()["code"] == "artist_not_approved"
    assert "tattooistId" in response.json()["fields"]

    response = client_for(customer).post(
        "/api/bookings",
        {"tattooistId": 999999, "slot": "2026-06-03T12:00:00+08:00", "depositAmount": "50000"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_artist"


@pytest.mark.parametrize(
    ("amount", "code"),
    [("49999", "deposit_too_low"), ("50000.50", "deposit_not_whole"), ("50000.555", "invalid"), ("-1", "invalid")],
)
def test_it_refuses_a_deposit_that_is_not_a_whole_amount_at_least_the_minimum(
    frozen, open_artist, customer, amount, code
):
    response = post(customer, tattooist=open_artist, slot="2026-06-03T12:00:00+08:00", depositAmount=amount)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert "depositAmount" in response.json()["fields"]


def test_it_refuses_a_slot_inside_time_off(frozen, open_artist, customer):
    TimeOff.objects.create(tattooist=open_artist, starts_at=NOON + timedelta(hours=1), ends_at=NOON + timedelta(days=1))

    response = post(customer, tattooist=open_artist, slot="2026-06-03T12:00:00+08:00")

    assert response.status_code == 400
    assert response.json()["code"] == "time_off"


@pytest.mark.parametrize("refusal", ["time_off", "slot_taken", "too_many_holds"])
def test_a_refused_create_leaves_no_job_and_a_created_one_has_its_own(frozen, open_artist, customer, refusal):
    # The booking's jobs are written in its transaction (bookings/services/create.py): a refusal found under
    # the locks must write none of them.
    from procrastinate.contrib.django.models import ProcrastinateJob

    if refusal == "time_off":
        TimeOff.objects.create(tattooist=open_artist, starts_at=NOON, ends_at=NOON + timedelta(hours=3))
    elif refusal == "slot_taken":
        BookingFactory(tattooist=open_artist, slot=NOON, ends_at=NOON + timedelta(hours=2))
    else:
        for days in (1, 2):  # two unpaid holds on other days (BOOKING_MAX_UNPAID_HOLDS)
            BookingFactory(customer=customer, tattooist=open_artist, slot=NOON + timedelta(days=days))

    refused = post(customer, tattooist=open_artist, slot="2026-06-03T12:00:00+08:00")

    assert refused.json()["code"] == refusal
    assert not ProcrastinateJob.objects.exists()
    created = post(CustomerFactory(), tattooist=open_artist, slot="2026-06-04T16:00:00+08:00")
    assert created.status_code == 201, created.json()
    booking = Booking.objects.get(pk=created.json()["id"])
    jobs = ProcrastinateJob.objects.order_by("id").values_list("task_name", "args", "scheduled_at")
    expiry, *mails = jobs
    assert expiry == ("bookings.expire_hold", {"booking_id": booking.pk}, booking.hold_expires_at)
    assert [(name, at) for name, _, at in mails] == [("notifications.send", None)] * 2  # the customer's, the artist's


def test_only_customers_can_book(frozen, open_artist, other_tattooist, admin_user, api_client):
    for user in (other_tattooist.user, admin_user):
        assert post(user, tattooist=open_artist, slot="2026-06-03T12:00:00+08:00").status_code == 403
    response = api_client.post("/api/bookings", {}, format="json")
    assert response.status_code == 401


# Existing booking 12:00-14:00 local (04:00Z-06:00Z); a new 2-hour booking starting `offset` later.
@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(hours=-2), 201),  # ends exactly when the other starts
        (timedelta(hours=2), 201),  # starts exactly when the other ends
        (timedelta(hours=-2, seconds=1), 409),  # one second of overlap at the start
        (timedelta(hours=2, seconds=-1), 409),  # one second of overlap at the end
        (timedelta(0), 409),  # the same slot
        (timedelta(minutes=30), 409),
        (timedelta(minutes=-30), 409),
        (timedelta(hours=1), 409),
        (timedelta(hours=-1), 409),
        (timedelta(hours=3), 201),
        (timedelta(hours=2, minutes=30), 201),
        (timedelta(hours=1, minutes=59), 409),
    ],
)
def test_only_a_real_overlap_with_an_active_booking_is_refused(frozen, open_artist, customer, offset, expected):
    BookingFactory(tattooist=open_artist, slot=NOON, ends_at=NOON + timedelta(hours=2))

    response = post(customer, tattooist=open_artist, slot=(NOON + offset).isoformat())

    assert response.status_code == expected, response.json()
    if expected == 409:
        assert response.json()["code"] == "slot_taken"
        assert Booking.objects.count() == 1


@pytest.mark.parametrize("status", [BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.DISPUTED])
def test_every_active_status_blocks_the_slot(frozen, open_artist, customer, status):
    BookingFactory(tattooist=open_artist, slot=NOON, ends_at=NOON + timedelta(hours=2), status=status)

    response = post(customer, tattooist=open_artist, slot=NOON.isoformat())

    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.EXPIRED, BookingStatus.COMPLETED])
def test_cancelled_expired_and_completed_bookings_do_not_block(frozen, open_artist, customer, status):
    BookingFactory(tattooist=open_artist, slot=NOON, ends_at=NOON + timedelta(hours=2), status=status)

    response = post(customer, tattooist=open_artist, slot=NOON.isoformat())

    assert response.status_code == 201, response.json()


def test_another_artists_booking_does_not_block(frozen, open_artist, other_tattooist, customer):
    BookingFactory(tattooist=other_tattooist, slot=NOON, ends_at=NOON + timedelta(hours=2))

    assert post(customer, tattooist=open_artist, slot=NOON.isoformat()).status_code == 201


def test_a_customer_cannot_hold_more_than_two_unpaid_bookings(frozen, open_artist, customer):
    first = post(customer, tattooist=open_artist, slot="2026-06-03T10:00:00+08:00")
    second = post(customer, tattooist=open_artist, slot="2026-06-03T12:00:00+08:00")
    third = post(customer, tattooist=open_artist, slot="2026-06-03T14:00:00+08:00")

    assert (first.status_code, second.status_code, third.status_code) == (201, 201, 409)
    assert third.json()["code"] == "too_many_holds"
    assert Booking.objects.count() == 2

    # A paid (confirmed) booking is no longer a hold: the customer may book again.
    Booking.objects.filter(pk=first.json()["id"]).update(
        status=BookingStatus.CONFIRMED, payment_status=PaymentStatus.PAID
    )
    assert post(customer, tattooist=open_artist, slot="2026-06-03T14:00:00+08:00").status_code == 201


def test_an_artists_day_takes_at_most_the_cap_of_unpaid_holds_from_all_customers(frozen, settings):
    """Slot hoarding across accounts (docs/reliability.md B8): the day's holds are capped; paid,
    cancelled and expired ones do not count, and other days and artists are not affected."""
    settings.BOOKING_MAX_UNPAID_HOLDS_PER_ARTIST_DAY = 2
    artist = TattooistFactory(session_minutes=60)
    open_every_day(artist)
    customers = [CustomerFactory() for _ in range(4)]

    def book(who, local: str, tattooist=artist):
        return post(who, tattooist=tattooist, slot=f"{local}+08:00")

    first, second = book(customers[0], "2026-06-03T10:00:00"), book(customers[1], "2026-06-03T11:00:00")
    assert (first.status_code, second.status_code) == (201, 201)
    third = book(customers[2], "2026-06-03T12:00:00")
    assert third.status_code == 409
    assert third.json()["code"] == "artist_day_held"
    assert Booking.objects.count() == 2
    # another day of the same artist, and another artist on the same day
    assert book(customers[2], "2026-06-04T10:00:00").status_code == 201
    other = TattooistFactory()
    open_every_day(other)
    assert book(customers[3], "2026-06-03T12:00:00", tattooist=other).status_code == 201
    # a paid hold and a cancelled one free the day's places
    paid = {"status": BookingStatus.CONFIRMED, "payment_status": PaymentStatus.PAID}
    Booking.objects.filter(pk=first.json()["id"]).update(**paid)
    assert book(customers[3], "2026-06-03T12:00:00").status_code == 201
    assert book(customers[1], "2026-06-03T13:00:00").status_code == 409
    booking_move(booking_id=second.json()["id"], to_status=BookingStatus.CANCELLED, actor=customers[1])
    assert book(customers[1], "2026-06-03T13:00:00").status_code == 201


def test_a_create_costs_a_small_constant_number_of_queries(frozen, open_artist, customer, django_assert_num_queries):
    # Both parties' locks (one statement), the rule's facts (one statement, bookings/rules.py: the
    # day's windows carrying time off, the customer's holds, a clash and the artist-day's holds),
    # the booking, the public slot list's version bump (its post_save), the audit row, both mails'
    # outbox rows (one statement), and the hold's expiry job with the mails' send jobs (one
    # statement: tattoo.core.jobs.batched) = 7, plus the SAVEPOINT/RELEASE pair of the service's
    # atomic block nested in the test's transaction = 9.
    with django_assert_num_queries(9):
        booking_create(customer=customer, tattooist_id=open_artist.pk, slot=NOON, deposit_amount=Decimal("50000"))


def test_the_schema_has_the_exclusion_and_check_constraints():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'bookings'::regclass"
        )
        rows = {name: (kind, definition) for name, kind, definition in cursor.fetchall()}
    kind, definition = rows["bookings_no_overlap"]
    assert kind == "x"
    assert "tattooist_id WITH =" in definition
    assert "tstzrange(slot, ends_at) WITH &&" in definition
    for status in ("pending", "confirmed", "disputed"):
        assert status in definition
    assert "cancelled" not in definition
    assert "expired" not in definition
    assert rows["bookings_end_after_start"][0] == "c"
    assert rows["bookings_at_most_12_hours"][0] == "c"


def test_a_berlin_booking_follows_the_local_wall_clock_across_the_spring_change(customer):
    artist = TattooistFactory(timezone="Europe/Berlin")
    open_every_day(artist, start=datetime.min.time().replace(hour=10), end=datetime.min.time().replace(hour=12))

    with time_machine.travel(datetime(2026, 3, 20, tzinfo=UTC), tick=False):
        before = post(customer, tattooist=artist, slot="2026-03-28T09:00:00Z")  # 10:00 CET
        after = post(customer, tattooist=artist, slot="2026-03-29T08:00:00Z")  # 10:00 CEST
        an_hour_late = post(CustomerFactory(), tattooist=artist, slot="2026-03-29T09:00:00Z")  # 11:00 CEST

    assert (before.status_code, after.status_code) == (201, 201)
    assert an_hour_late.status_code == 400
    assert an_hour_late.json()["code"] == "outside_availability"


def test_an_artist_whose_account_is_disabled_takes_no_bookings(frozen, open_artist, customer):
    open_artist.user.is_active = False
    open_artist.user.save()

    response = post(customer, tattooist=open_artist, slot="2026-06-03T12:00:00+08:00")

    assert response.status_code == 400
    assert response.json()["code"] == "artist_not_approved"


@pytest.mark.parametrize(
    "body",
    [
        {"tattooistId": 2**70, "slot": "2026-06-03T12:00:00+08:00", "depositAmount": "50000"},
        {"tattooistId": 1, "slot": "0001-01-01T00:00:00+08:00", "depositAmount": "50000"},
        {"tattooistId": 1, "slot": "9999-12-31T23:59:59-08:00", "depositAmount": "50000"},
        {"tattooistId": 1, "slot": "2026-06-03T12:00:00+08:00", "depositAmount": "1e30"},
        {"tattooistId": 1, "slot": "2026-06-03T12:00:00+08:00", "depositAmount": "NaN"},
        {"tattooistId": "x", "slot": 5, "depositAmount": None},
        {"tattooistId": 1, "slot": "2026-06-03T12:00:00+08:00", "depositAmount": "50000", "notes": "a\x00b"},
        [],
    ],
)
def test_garbage_input_is_a_400_never_a_500(frozen, customer, body):
    response = client_for(customer).post("/api/bookings", body, format="json")

    assert response.status_code == 400, response.json()
    assert not Booking.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_create_over_http_costs_the_services_statements_plus_auth_and_transaction(
    open_artist, customer, django_assert_num_queries
):
    # The JWT user lookup, BEGIN, the service's 7 statements (above), COMMIT.
    client = client_for(customer)
    slot = (timezone.now() + timedelta(days=3)).replace(hour=4, minute=0, second=0, microsecond=0)

    with django_assert_num_queries(10):
        response = client.post(
            "/api/bookings",
            {"tattooistId": open_artist.pk, "slot": slot.isoformat(), "depositAmount": "50000"},
            format="json",
        )

    assert response.status_code == 201, response.json()


# --- what a create writes, and what a refused one leaves ------------------------------------


def _slot_version(artist_id: int) -> str:
    from tattoo.core.http_cache import slots_key, versions

    return versions([slots_key(artist_id)])


def test_the_returned_booking_is_the_row_that_was_stored(frozen, open_artist, customer):
    returned = booking_create(
        customer=customer, tattooist_id=open_artist.pk, slot=NOON, deposit_amount=Decimal("50000"), notes="koi"
    )

    stored = Booking.objects.get()
    fields = [f.attname for f in Booking._meta.concrete_fields]
    assert {f: getattr(returned, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    assert returned._state.adding is False
    assert returned.tattooist == open_artist


def test_a_create_bumps_the_artists_slot_list_version(frozen, open_artist, customer):
    before = _slot_version(open_artist.pk)

    booking_create(customer=customer, tattooist_id=open_artist.pk, slot=NOON, deposit_amount=Decimal("50000"))

    assert _slot_version(open_artist.pk) != before


def test_a_refused_create_writes_no_row_no_audit_and_no_version_bump(frozen, open_artist, customer):
    BookingFactory(tattooist=open_artist, slot=NOON, ends_at=NOON + timedelta(hours=2))
    events, version = BookingEvent.objects.count(), _slot_version(open_artist.pk)

    with pytest.raises(ConflictError) as caught:
        booking_create(
            customer=customer,
            tattooist_id=open_artist.pk,
            slot=NOON + timedelta(hours=1),
            deposit_amount=Decimal("50000"),
        )

    assert caught.value.code == "slot_taken"
    assert Booking.objects.count() == 1
    assert BookingEvent.objects.count() == events
    assert _slot_version(open_artist.pk) == version


def test_windows_of_other_days_do_not_make_a_slot_bookable(frozen, customer):
    # Hours only on Thursday (dow 4): the Wednesday slot must be refused though the artist has windows.
    from datetime import time

    from bookings.models import Availability

    artist = TattooistFactory(approved=True)
    Availability.objects.create(tattooist=artist, day=4, start_time=time(0, 0), end_time=time(23, 59))

    with pytest.raises(ApplicationError) as caught:
        booking_create(customer=customer, tattooist_id=artist.pk, slot=NOON, deposit_amount=Decimal("50000"))

    assert caught.value.code == "outside_availability"
    assert not Booking.objects.exists()


def test_a_booking_keeps_the_artists_deposit_policy_of_the_day_it_was_made(frozen, open_artist, customer):
    open_artist.deposit_refundable_hours = 72
    open_artist.save()

    returned = booking_create(
        customer=customer, tattooist_id=open_artist.pk, slot=NOON, deposit_amount=Decimal("50000")
    )
    open_artist.deposit_refundable_hours = 24
    open_artist.save()

    assert returned.deposit_refundable_hours == 72
    assert Booking.objects.get().deposit_refundable_hours == 72
