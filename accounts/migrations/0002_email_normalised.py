"""Addresses stored in one spelling: NFKC + casefold (accounts.models.normalize_email).

Rewrites every stored address, refusing to go on when two accounts become one address (a person
must decide which one keeps it), then replaces the lower()-based unique index by a check that the
stored form has no ASCII capitals; uniqueness is the column's own unique constraint on that form.
"""

import unicodedata

import django.db.models.functions.comparison
import django.db.models.functions.text
from django.db import migrations, models


def _normalise(email: str) -> str:
    # A copy of accounts.models.normalize_email as of this migration (migrations must not change
    # when the model code does).
    return unicodedata.normalize("NFKC", (email or "").strip()).casefold()


def normalise_stored_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    rows = list(User.objects.values_list("pk", "email"))
    owners: dict[str, list[int]] = {}
    for pk, email in rows:
        owners.setdefault(_normalise(email), []).append(pk)
    clashes = {email: pks for email, pks in owners.items() if len(pks) > 1}
    if clashes:
        listed = "; ".join(f"{email}: users {pks}" for email, pks in sorted(clashes.items()))
        raise RuntimeError(
            "These accounts have one address once normalised (NFKC + casefold); change or merge them "
            f"before migrating: {listed}"
        )
    for pk, email in rows:
        normal = _normalise(email)
        if normal != email:
            User.objects.filter(pk=pk).update(email=normal)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="users_email_ci_unique"),
        migrations.RunPython(normalise_stored_addresses, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "email",
                        django.db.models.functions.text.Lower(
                            django.db.models.functions.comparison.Collate("email", "C")
                        ),
                    )
                ),
                name="users_email_normalised",
            ),
        ),
    ]
