"""`rules.lock_parties` takes both row locks in one statement: the customer's, then the artist's.

The order is the executor's (the customer's lock is an InitPlan run while PostgreSQL builds the
artist's row, below the LockRows step that locks it), so it is watched here from the outside: a
second connection holds the artist's row, and while the booking's transaction waits for it, a third
finds the customer's row already locked. Reversed, the waiting transaction would hold nothing.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction

from accounts.tests.factories import CustomerFactory, TattooistFactory
from bookings import rules
from testing.races import await_lock_wait

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_the_customer_is_locked_before_the_artist_in_one_statement():
    customer, artist = CustomerFactory(), TattooistFactory()
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    booker_pid: list[int] = []
    locked: list[object] = []

    def book() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    booker_pid.append(cursor.fetchone()[0])
                locked.append(rules.lock_parties(customer_id=customer.pk, artist_id=artist.pk))
        finally:
            connection.close()

    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute("SELECT id FROM tattooists WHERE id = %s FOR NO KEY UPDATE", [artist.pk])
        booker = threading.Thread(target=book)
        booker.start()
        deadline = time.monotonic() + 10
        while not booker_pid:  # its backend's pid comes first, before the locks
            assert time.monotonic() < deadline, "the booking never started"
            time.sleep(0.01)
        await_lock_wait(pid=booker_pid[0], what="the booking")  # for the artist's row

        # The booking waits for the artist's row, and already holds the customer's.
        probe.set_autocommit(False)
        with probe.cursor() as cursor, pytest.raises(OperationalError, match="could not obtain lock"):
            cursor.execute("SELECT id FROM users WHERE id = %s FOR NO KEY UPDATE NOWAIT", [customer.pk])
        probe.rollback()

        holder.rollback()  # the artist's row is free: the booking gets it
        booker.join(timeout=10)
        assert not booker.is_alive()
        assert [getattr(row, "pk", None) for row in locked] == [artist.pk]
    finally:
        holder.close()
        probe.close()


def test_an_unknown_artist_locks_nothing_and_answers_none():
    customer = CustomerFactory()
    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            assert rules.lock_parties(customer_id=customer.pk, artist_id=999_999) is None
            with probe.cursor() as cursor:  # autocommit: the lock, if it is had, is let go at once
                cursor.execute("SELECT id FROM users WHERE id = %s FOR NO KEY UPDATE NOWAIT", [customer.pk])
                assert cursor.fetchone() == (customer.pk,)
    finally:
        probe.close()
