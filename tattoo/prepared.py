"""Hot, fixed read statements run as server-side prepared statements on Django's connection.

Django's psycopg cursors bind parameters on the client and never prepare (it keeps connection
poolers working), so PostgreSQL plans every statement anew. For the few fixed statements behind
the busiest public reads (the cache version lookup, the portfolio page, the artist list) planning
cost as much as running them; `fetchall` prepares each once per connection and reuses the plan.

It runs on Django's own connection (same transaction, same type adapters, same health check),
turns driver errors into django.db errors as Django's cursors do, and logs the statement where
Django logs queries (DEBUG, and the test suite's query counters).
"""

from __future__ import annotations

import time

import psycopg
from django.db import connection
from psycopg.pq import Format

# Django's connections load timestamptz with a pure-Python loader that pins tzinfo to UTC; the
# driver's own (C) loader gives the same instants in the session time zone, which Django sets
# to UTC, several times faster: a page of 20 rows spent more time here than in PostgreSQL.
_TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid
_FAST_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)


def fetchall(sql: str, params: list | tuple) -> list[tuple]:
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.adapters.register_loader(_TIMESTAMPTZ, _FAST_TIMESTAMPTZ_LOADER)
        cursor.execute(sql, params, prepare=True)
        rows = cursor.fetchall()
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- prepared, params {list(params)!r}", "time": f"{time.monotonic() - started:.3f}"}
        )
    return rows
