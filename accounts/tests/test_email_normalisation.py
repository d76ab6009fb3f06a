"""E-mail addresses are normalised once (NFKC + casefold): stored, looked up and throttled under
the same key, whatever the database's locale (docs/security.md)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import IntegrityError, connection
from django.test import override_settings

from accounts.models import User, normalize_email
from accounts.tests import lookalikes

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Sam@Example.TEST ", "sam@example.test"),
        ("\u017fam@example.test", "sam@example.test"),  # long s
        ("\uff33\uff21\uff2d@\uff45xample.test", "sam@example.test"),  # fullwidth
        ("STRASSE@example.test", "strasse@example.test"),
        ("stra\u00dfe@example.test", "strasse@example.test"),  # casefold, not lower
        ("adm\u0131n@example.test", "adm\u0131n@example.test"),  # dotless i stays its own letter
    ],
)
def test_normalise_is_nfkc_then_casefold(raw, stored):
    assert normalize_email(raw) == stored


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=100)
def test_lookalike_spellings_on_the_dev_database():
    assert lookalikes.probe() == lookalikes.EXPECTED


@pytest.mark.django_db
def test_the_database_refuses_an_address_written_around_the_normalisation():
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO users (name, email, password_hash, role, is_active, created_at, calendar_token) "
            "VALUES ('x', 'Mixed@Example.test', '', 'customer', true, now(), 'tok')"
        )


@pytest.mark.long  # creates and migrates a database of its own
def test_lookalike_spellings_on_a_database_with_a_utf8_locale():
    """UPPER() follows LC_CTYPE: under C.UTF-8 `admın` and `ADMIN` compare equal in SQL. A database
    created with that locale in the dev cluster behaves as a cluster initdb'd with it would."""
    settings_dict = connection.settings_dict
    auth = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else "")
    base = f"postgres://{auth}@{settings_dict['HOST']}:{settings_dict['PORT']}"
    name = f"inkbook_utf8_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
    try:
        with psycopg.connect(f"{base}/{name}") as db:
            assert db.execute("SELECT upper('adm\u0131n'), upper('\u017fam')").fetchone() == ("ADMIN", "SAM")
        env = {
            **os.environ,
            "DATABASE_URL": f"{base}/{name}",
            "LOGIN_FAILURES_PER_ACCOUNT": "3",
            "LOGIN_FAILURES_PER_ADDRESS": "100",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tattoo.settings",
        }
        result = subprocess.run(
            [sys.executable, "-m", "accounts.tests.lookalikes"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert json.loads(result.stdout.strip().splitlines()[-1]) == lookalikes.EXPECTED
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.django_db
def test_the_migration_normalises_stored_addresses_and_stops_on_a_clash():
    """The migration's data step on rows written before it (the check constraint it adds dropped for
    the test, inside the test's transaction), then the constraint it adds holds on what it wrote.

    Migrating every app back to accounts 0001 and forward again proved the same and took 25 s on
    2 cores, a tenth of the suite's budget; the operations around this step are Django's own."""
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0002_email_normalised")
    check = next(c for c in User._meta.constraints if c.name == "users_email_normalised")

    def insert(email: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO users (name, email, password_hash, role, is_active, created_at, calendar_token) "
                "VALUES ('x', %s, '', 'customer', true, now(), %s)",
                [email, uuid.uuid4().hex],
            )

    with connection.schema_editor() as editor:
        editor.remove_constraint(User, check)
    insert("  Mixed@Example.TEST")
    insert("\uff33\uff21\uff2d@example.test")
    insert("sam@example.test")  # the same address as the fullwidth one, once normalised
    with pytest.raises(RuntimeError, match=r"sam@example\.test"):
        migration.normalise_stored_addresses(apps, None)
    assert User.objects.filter(email="  Mixed@Example.TEST").exists()  # refused before any write

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM users WHERE email = 'sam@example.test'")
    migration.normalise_stored_addresses(apps, None)
    assert sorted(User.objects.values_list("email", flat=True)) == ["mixed@example.test", "sam@example.test"]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks under ALTER TABLE
    with connection.schema_editor() as editor:
        editor.add_constraint(User, check)  # what the migration adds next holds on these rows


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    [
        "a@\ufdfa" + "b" * 10 + ".test",  # NFKC spells U+FDFA as 18 letters with spaces: no longer an address
        "a\uff20b@example.test",  # a fullwidth @ would become a second @
    ],
)
def test_a_signup_address_that_normalises_into_nonsense_is_a_400_not_a_500(email):
    from rest_framework.test import APIClient

    response = APIClient().post(
        "/api/auth/signup",
        {"name": "N", "email": email, "password": lookalikes.PASSWORD, "role": "customer"},
        format="json",
    )
    assert response.status_code == 400
    assert "email" in response.json()["fields"]
    assert not User.objects.exists()
