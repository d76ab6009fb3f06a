# PendingObjectDeletion now belongs to the core (tattoo/core/migrations/0003); the table stays.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0002_image_key_unique"),
        ("tattoo", "0003_pending_object_deletion"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PendingObjectDeletion")],
            database_operations=[],
        ),
    ]
