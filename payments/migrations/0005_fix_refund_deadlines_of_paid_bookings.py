"""Bookings that already hold money get their free-cancel deadline fixed, from the start they have
now: the nearest to "the start in force when the deposit was paid" that is still known
(bookings/deposit_window.py, docs/deposits.md)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_field_verbose_names"),
        ("bookings", "0008_booking_refundable_until"),
    ]

    operations = [
        migrations.RunSQL(
            """
            UPDATE bookings b SET refundable_until = b.slot - make_interval(hours => b.deposit_refundable_hours)
             WHERE b.refundable_until IS NULL
               AND EXISTS (SELECT 1 FROM deposit_payments p WHERE p.booking_id = b.id)
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
