"""Open disputes of a session that was over (completed or no-show) stop holding its time
(bookings.models.SLOT_HOLDING; docs/deposits.md, "Disputes and the slot")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0004_field_verbose_names"),
        ("bookings", "0007_dispute_of_a_finished_session_holds_no_slot"),
    ]

    operations = [
        migrations.RunSQL(
            """
            UPDATE bookings b SET holds_slot = false
              FROM disputes d
             WHERE d.booking_id = b.id AND d.status = 'open' AND b.status = 'disputed'
               AND d.booking_status_before IN ('completed', 'no_show')
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
