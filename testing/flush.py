"""pytest plugin: after a transactional test, the same empty database, made without TRUNCATE.

After each transactional test (pytest-django's `transactional_db`, `live_server`, `run_jobs`,
`job_workers`, `django_db(transaction=True)`), Django's TransactionTestCase empties every table
with the `flush` command: one `TRUNCATE` of all of Django's tables, then the `post_migrate` signal
writes the content types and permissions again. Both cost more than the test's data: TRUNCATE
gives every table, index and TOAST table a new file (about 0.25 s on PostgreSQL for tables holding
a handful of rows), and `post_migrate` runs some forty queries to write the same 200 rows again.
Over a hundred transactional tests that was half a minute of the suite. Here:

* The tables are emptied with `DELETE FROM` each, in the flush's own transaction: the same empty
  tables in a few milliseconds. That is the same end state only while no flushed table has a
  trigger of its own (DELETE fires row triggers, TRUNCATE does not) and every foreign key between
  them is checked at commit (Django's are DEFERRABLE INITIALLY DEFERRED, so the order of the
  DELETEs does not matter): the first flush of each test process checks both in the catalogue
  and keeps Django's TRUNCATE when either is not so.
* The content types and permissions are the rows `post_migrate` wrote at the first flush of the
  process (Django's own path). Later flushes leave those two tables alone and skip `post_migrate`
  when they still hold exactly those rows (compared by a digest of every row); otherwise they
  are emptied and `post_migrate` writes them again, as Django's flush does. `post_migrate` has
  no other receivers in this project (checked: only create_contenttypes and create_permissions,
  both "create what is missing").

A flush that resets sequences (`reset_sequences=True`) or cascades is Django's, unchanged. Only
this test process is changed: servers and workers it starts never flush.
"""

from __future__ import annotations

from django.core.management.commands import flush as flush_command
from django.db import connections, transaction
from django.db.backends.postgresql.operations import DatabaseOperations

KEPT_TABLES = ("django_content_type", "auth_permission")  # what post_migrate writes
EXPECTED_RECEIVERS = {"create_contenttypes", "create_permissions"}

_original_sql_flush = DatabaseOperations.sql_flush
_original_emit = flush_command.emit_post_migrate_signal


class _State:
    def __init__(self) -> None:
        self.delete_allowed: bool | None = None  # checked at the first flush
        self.snapshot: tuple | None = None  # digest of the kept tables as post_migrate wrote them
        self.kept = False  # the current flush left the kept tables alone


_states: dict[str, _State] = {}


def _state(alias: str) -> _State:
    return _states.setdefault(alias, _State())


def _tables_allow_delete(connection, tables) -> bool:
    from django.db.models.signals import post_migrate

    receivers = {getattr(r, "__name__", repr(r)) for r in post_migrate._live_receivers(None)[0]}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s)",
            [list(tables)],
        )
        (triggers,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT (condeferrable AND condeferred)"
            " AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s))",
            [list(tables), list(tables)],
        )
        (immediate_keys,) = cursor.fetchone()
    return triggers == 0 and immediate_keys == 0 and receivers == EXPECTED_RECEIVERS


DIGEST_SQL = """
SELECT
  (SELECT md5(coalesce(string_agg(concat_ws(':', id, app_label, model), ',' ORDER BY id), ''))
     FROM django_content_type),
  (SELECT md5(coalesce(string_agg(concat_ws(':', id, content_type_id, codename, name), ',' ORDER BY id), ''))
     FROM auth_permission)
"""


def _digest(connection) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(DIGEST_SQL)
        return tuple(cursor.fetchone())


def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    state = _state(self.connection.alias)
    state.kept = False
    if not tables or reset_sequences or allow_cascade:
        return _original_sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    if state.delete_allowed is None:
        state.delete_allowed = _tables_allow_delete(self.connection, tables) and set(KEPT_TABLES) <= set(tables)
    if not state.delete_allowed:
        return _original_sql_flush(self, style, tables)
    if state.snapshot is not None:
        tables = [t for t in tables if t not in KEPT_TABLES]
        state.kept = True
    return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]


def emit_post_migrate_signal(verbosity, interactive, db, **kwargs):
    connection = connections[db]
    state = _state(db)
    if state.kept:
        state.kept = False
        if _digest(connection) == state.snapshot:
            return  # the rows post_migrate would write again are there, untouched
        # A test changed them: empty them too and let post_migrate write them, as Django's flush does.
        from django.contrib.contenttypes.models import ContentType

        with transaction.atomic(using=db), connection.cursor() as cursor:
            for table in KEPT_TABLES:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608 - fixed names
        ContentType.objects.clear_cache()
    _original_emit(verbosity, interactive, db, **kwargs)
    if state.delete_allowed:
        state.snapshot = _digest(connection)


def pytest_configure(config):
    DatabaseOperations.sql_flush = sql_flush
    flush_command.emit_post_migrate_signal = emit_post_migrate_signal


def pytest_unconfigure(config):
    DatabaseOperations.sql_flush = _original_sql_flush
    flush_command.emit_post_migrate_signal = _original_emit
