"""tattoo/core/db.py against PostgreSQL's own errors: a lost serialization race and a deadlock are
run again, the last attempt's failure is the caller's `busy`, a constraint failure is the caller's to
name, and any other database error passes unchanged."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, connections, transaction
from django.db.models import F

from tattoo.core import db
from tattoo.core.models import CacheVersion
from testing.races import hammer, lose_a_write_race

pytestmark = pytest.mark.django_db(transaction=True)


class Busy(Exception):
    pass


class Taken(Exception):
    pass


def taken_or_none(exc: IntegrityError) -> Exception | None:
    return Taken() if db.sqlstate(exc) in db.CONFLICT_STATES else None


def bump(key: str) -> None:
    assert CacheVersion.objects.filter(key=key).update(version=F("version") + 1) == 1


def version(key: str) -> int:
    return CacheVersion.objects.get(key=key).version


def test_a_lost_serialization_race_is_run_again():
    CacheVersion.objects.create(key="k")
    attempts = []

    def write():
        attempts.append(1)
        with transaction.atomic():
            if len(attempts) == 1:
                lose_a_write_race(key="k")
            bump("k")
        return "written"

    assert db.with_db_retry(write, integrity_error=taken_or_none, busy=Busy) == "written"
    assert len(attempts) == 2
    assert version("k") == 2  # the winner's update and the second attempt's


@pytest.mark.concurrency
def test_a_deadlock_is_run_again():
    CacheVersion.objects.bulk_create([CacheVersion(key="a"), CacheVersion(key="b")])
    both_hold_their_first_row = threading.Barrier(2)
    attempts: Counter[int] = Counter()

    def write(i: int) -> str:
        first, second = ("a", "b") if i == 0 else ("b", "a")

        def locked() -> str:
            attempts[i] += 1
            with transaction.atomic():
                bump(first)
                if attempts[i] == 1:
                    both_hold_their_first_row.wait(timeout=10)
                bump(second)  # each waits for the other's row: PostgreSQL aborts one of them (40P01)
            return "written"

        return db.with_db_retry(locked, integrity_error=taken_or_none, busy=Busy)

    assert hammer(write, n=2) == ["written", "written"]
    assert sorted(attempts.values()) == [1, 2]
    assert (version("a"), version("b")) == (2, 2)


def test_after_the_last_attempt_the_answer_is_busy():
    CacheVersion.objects.create(key="k")
    attempts = []

    def always_loses():
        attempts.append(1)
        with transaction.atomic():
            lose_a_write_race(key="k")

    with pytest.raises(Busy) as caught:
        db.with_db_retry(always_loses, integrity_error=taken_or_none, busy=Busy, attempts=2)
    assert len(attempts) == 2
    assert isinstance(caught.value.__cause__, OperationalError)
    assert db.sqlstate(caught.value.__cause__) == "40001"


def test_a_constraint_failure_is_what_the_caller_names_it_without_a_retry():
    CacheVersion.objects.create(key="k")
    attempts = []

    def duplicate():
        attempts.append(1)
        with transaction.atomic():
            CacheVersion.objects.create(key="k")

    with pytest.raises(Taken) as caught:
        db.with_db_retry(duplicate, integrity_error=taken_or_none, busy=Busy)
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert db.sqlstate(caught.value.__cause__) == "23505"
    assert len(attempts) == 1

    with pytest.raises(IntegrityError):  # a failure the caller does not name stays what it was
        db.with_db_retry(duplicate, integrity_error=lambda exc: None, busy=Busy)
    assert len(attempts) == 2


def test_any_other_database_error_passes_unchanged_without_a_retry():
    CacheVersion.objects.create(key="k")
    attempts = []
    other = connections.create_connection(DEFAULT_DB_ALIAS)

    def lock_now_or_never():
        attempts.append(1)
        with other.cursor() as cursor:
            cursor.execute("SELECT version FROM cache_versions WHERE key = %s FOR UPDATE NOWAIT", ["k"])

    try:
        with transaction.atomic():
            CacheVersion.objects.select_for_update().get(key="k")
            with pytest.raises(OperationalError) as caught:
                db.with_db_retry(lock_now_or_never, integrity_error=taken_or_none, busy=Busy)
    finally:
        other.close()
    assert db.sqlstate(caught.value) == "55P03"  # lock_not_available
    assert len(attempts) == 1
