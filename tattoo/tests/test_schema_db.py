"""The database schema: tables, foreign keys, CHECKs and the exclusion constraint are real."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from bookings.models import BookingStatus
from bookings.tests.factories import BookingFactory

pytestmark = pytest.mark.django_db

TABLES = [
    "users",
    "tattooists",
    "time_off",
    "portfolios",
    "availability",
    "bookings",
    "booking_events",
    "tattoo_ideas",
    "transactions",
    "disputes",
]
# (table, column) → referenced table
FOREIGN_KEYS = {
    ("tattooists", "user_id"): "users",
    ("tattooists", "approved_by_id"): "users",
    ("time_off", "tattooist_id"): "tattooists",
    ("portfolios", "tattooist_id"): "tattooists",
    ("availability", "tattooist_id"): "tattooists",
    ("bookings", "customer_id"): "users",
    ("bookings", "tattooist_id"): "tattooists",
    ("booking_events", "booking_id"): "bookings",
    ("booking_events", "actor_id"): "users",
    ("tattoo_ideas", "booking_id"): "bookings",
    ("tattoo_ideas", "created_by_id"): "users",
    ("transactions", "booking_id"): "bookings",
    ("disputes", "booking_id"): "bookings",
    ("disputes", "initiator_id"): "users",
    ("disputes", "resolved_by_id"): "users",
}


def constraints(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, contype FROM pg_constraint WHERE conrelid = %s::regclass", [table])
        return dict(cursor.fetchall())


def test_every_table_exists_with_its_name():
    existing = set(connection.introspection.table_names())
    assert set(TABLES) <= existing


def test_every_foreign_key_is_a_real_constraint():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT src.relname, att.attname, dst.relname
            FROM pg_constraint c
            JOIN pg_class src ON src.oid = c.conrelid
            JOIN pg_class dst ON dst.oid = c.confrelid
            JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = ANY (c.conkey)
            WHERE c.contype = 'f'
            """
        )
        found = {(t, col): ref for t, col, ref in cursor.fetchall()}
    for key, ref in FOREIGN_KEYS.items():
        assert found.get(key) == ref, f"missing foreign key {key} → {ref}"


def test_every_status_column_has_a_check_constraint():
    expected = {
        "users": "users_role_valid",
        "bookings": "bookings_status_valid",
        "transactions": "transactions_status_valid",
        "disputes": "disputes_status_valid",
    }
    for table, name in expected.items():
        assert constraints(table).get(name) == "c", f"{table} lacks {name}"
    assert constraints("bookings")["bookings_payment_status_valid"] == "c"
    assert constraints("bookings")["bookings_end_after_start"] == "c"


def test_the_exclusion_constraint_exists_over_active_bookings():
    assert constraints("bookings")["bookings_no_overlap"] == "x"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'bookings_no_overlap'")
        definition = cursor.fetchone()[0]
    assert "gist" in definition.lower()
    assert "tstzrange(slot, ends_at)" in definition
    for status in ("pending", "confirmed", "disputed"):
        assert status in definition


def test_the_exclusion_constraint_refuses_an_overlapping_active_booking():
    first = BookingFactory(status=BookingStatus.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(
            tattooist=first.tattooist,
            slot=first.ends_at - timedelta(seconds=1),
            ends_at=first.ends_at + timedelta(hours=1),
            status=BookingStatus.PENDING,
        )


def test_back_to_back_and_inactive_bookings_do_not_conflict():
    first = BookingFactory(status=BookingStatus.CONFIRMED)
    BookingFactory(tattooist=first.tattooist, slot=first.ends_at, ends_at=first.ends_at + timedelta(hours=2))
    for status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED, BookingStatus.COMPLETED):
        BookingFactory(tattooist=first.tattooist, slot=first.slot, ends_at=first.ends_at, status=status)


def test_a_booking_must_end_after_it_starts():
    booking = BookingFactory.build()
    booking.tattooist.user.save()
    booking.tattooist.save()
    booking.customer.save()
    booking.tattooist_id = booking.tattooist.pk
    booking.customer_id = booking.customer.pk
    booking.ends_at = booking.slot
    with pytest.raises(IntegrityError), transaction.atomic():
        booking.save()


def test_an_unknown_status_is_refused_by_the_database():
    booking = BookingFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE bookings SET status = 'teleported' WHERE id = %s", [booking.pk])


def test_lookups_the_api_does_have_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        indexes = dict(cursor.fetchall())
    assert "(tattooist_id, slot)" in indexes["bookings_tattooist_slot_idx"]
    assert "customer_id" in indexes["bookings_customer_created_idx"]
    assert "gin (style_tags)" in indexes["portfolios_style_tags_gin"]
    assert "tattooist_id" in indexes["portfolios_tattooist_new_idx"]


def test_makemigrations_is_clean():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
