"""tattoo/core/jobs.py: enqueueing in the caller's transaction, and what /healthz says about the queue."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from tattoo.core.jobs import DEFER_EXPRESSION, Deferral, app, defer_parameters, enqueue

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
NO_OP_JOB = "bookings.expire_hold"  # with booking_id=0 it would do nothing; no worker runs here


def test_every_job_name_the_code_enqueues_or_names_is_a_registered_task():
    names = set()
    for path in ROOT.glob("*/**/*.py"):
        if {".venv", "node_modules", "tests", "testing"} & set(path.parts):
            continue  # test-only tasks (testing/tasks.py) live only in the test workers
        text = path.read_text()
        names |= set(re.findall(r"""enqueue\(\s*["']([a-z_.]+)["']""", text))
        # job names kept as constants (written with tattoo.core.jobs.defer_parameters, or enqueued by them)
        names |= set(re.findall(r"""^[A-Z_]+_TASK = ["']([a-z_.]+)["']""", text, re.MULTILINE))
    assert {"bookings.expire_hold", "bookings.tell_created", "payments.refund_card"} <= names  # the scan works
    assert names - set(app.tasks) == set()


def test_a_queueing_lock_clash_is_a_no_op_and_keeps_the_callers_transaction():
    with transaction.atomic():
        first = enqueue("tattoo.purge_idempotency_keys", queueing_lock="only-one")
        second = enqueue("tattoo.purge_idempotency_keys", queueing_lock="only-one")
        ProcrastinateJob.objects.count()  # the transaction still works after the clash
    assert first is not None
    assert second is None
    assert ProcrastinateJob.objects.filter(queueing_lock="only-one").count() == 1


def test_enqueue_refuses_a_naive_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        enqueue(NO_OP_JOB, booking_id=0, at=timezone.now().replace(tzinfo=None))


JOB_COLUMNS = ("queue_name", "task_name", "priority", "lock", "queueing_lock", "args", "scheduled_at", "status")


def test_the_defer_expression_is_the_one_the_engines_own_defer_statement_uses():
    # An engine upgrade that renames its function or type fails here, not in production.
    from procrastinate import sql

    def squeezed(text: str) -> str:
        return re.sub(r"\s+", "", text)

    assert squeezed(DEFER_EXPRESSION) in squeezed(sql.queries["defer_jobs"])


def test_defer_parameters_write_what_enqueue_writes_inside_the_callers_statement():
    at = timezone.now() + timedelta(minutes=15)
    enqueued = enqueue(NO_OP_JOB, booking_id=7, at=at)
    params = defer_parameters(
        Deferral(NO_OP_JOB, {"booking_id": 7}, at=at), Deferral("bookings.tell_created", {"booking_id": 7})
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH mine AS (SELECT 41 AS n) SELECT n, {DEFER_EXPRESSION} FROM mine", params)
        mine, ids = cursor.fetchone()

    assert mine == 41
    assert len(ids) == 2
    rows = {job.pk: tuple(getattr(job, c) for c in JOB_COLUMNS) for job in ProcrastinateJob.objects.all()}
    assert rows[ids[0]] == rows[enqueued]
    assert rows[ids[1]] == ("default", "bookings.tell_created", 0, None, None, {"booking_id": 7}, None, "todo")


def test_jobs_written_by_the_expression_go_with_a_rolled_back_transaction_and_not_without_a_row():
    params = defer_parameters(Deferral(NO_OP_JOB, {"booking_id": 7}))
    seen = []

    def write_then_fail():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {DEFER_EXPRESSION}", params)
            seen.append(ProcrastinateJob.objects.count())
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        write_then_fail()
    assert seen == [1]
    assert ProcrastinateJob.objects.count() == 0
    with connection.cursor() as cursor:  # gated on a row, as the booking create gates it on its insert
        cursor.execute(f"WITH none AS (SELECT 1 WHERE false) SELECT {DEFER_EXPRESSION} FROM none", params)
        assert cursor.fetchall() == []
    assert ProcrastinateJob.objects.count() == 0


def test_defer_parameters_refuse_a_naive_time_and_a_task_with_a_queueing_lock():
    with pytest.raises(ValueError, match="timezone-aware"):
        defer_parameters(Deferral(NO_OP_JOB, {"booking_id": 0}, at=timezone.now().replace(tzinfo=None)))
    with pytest.raises(ValueError, match="queueing lock"):  # registered with one (bookings/tasks.py)
        defer_parameters(Deferral("bookings.expire_holds", {}))


def test_healthz_reports_the_age_of_the_oldest_due_job_and_a_stalled_queue(client, settings):
    settings.JOBS_HEALTH_MAX_DELAY_SECONDS = 300
    enqueue(NO_OP_JOB, booking_id=0, at=timezone.now() + timedelta(hours=1))  # not due: ignored
    enqueue(NO_OP_JOB, booking_id=0, at=timezone.now() - timedelta(seconds=100))

    jobs = client.get("/healthz").json()["jobs"]
    assert jobs["status"] == "ok"
    assert 95 <= jobs["oldestDueSeconds"] < 300

    enqueue(NO_OP_JOB, booking_id=0, at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 200  # the web app still serves; the queue's state is reported
    jobs = response.json()["jobs"]
    assert jobs["status"] == "stalled"
    assert jobs["oldestDueSeconds"] >= 595


def test_healthz_counts_failed_jobs_for_staff(client):
    job_id = enqueue(NO_OP_JOB, booking_id=0)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = %s", [job_id])
    assert client.get("/healthz").json()["jobs"] == {"status": "ok", "oldestDueSeconds": 0.0, "failed": 1}


def test_a_job_enqueued_now_counts_from_when_it_was_enqueued(client):
    enqueue(NO_OP_JOB, booking_id=0)
    assert client.get("/healthz").json()["jobs"]["oldestDueSeconds"] < 60
