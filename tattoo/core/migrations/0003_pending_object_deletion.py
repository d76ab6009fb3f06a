# The bucket-delete queue moves from portfolio to the core (tattoo/core/uploads.py owns it). The
# table stays where it is: only Django's idea of which app holds the model changes.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tattoo", "0002_idempotency_keys"),
        ("portfolio", "0002_image_key_unique"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PendingObjectDeletion",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("key", models.CharField(max_length=512, unique=True)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"db_table": "pending_object_deletions"},
                ),
            ],
            database_operations=[],
        ),
    ]
