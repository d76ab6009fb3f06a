"""tattoo/core/jobs.py: enqueueing in the caller's transaction, and what /healthz says about the queue."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from tattoo.core.jobs import app, enqueue
from tattoo.core.jobs import batched as jobs_batched

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
        # job names kept as constants (enqueued by them)
        names |= set(re.findall(r"""^[A-Z_]+_TASK = ["']([a-z_.]+)["']""", text, re.MULTILINE))
    assert {"bookings.expire_hold", "payments.refund_card"} <= names  # the scan works
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


def test_jobs_enqueued_in_a_batch_are_written_together_when_it_ends(django_assert_num_queries):
    at = timezone.now() + timedelta(minutes=5)
    # one statement for all three, at the end of the block
    with transaction.atomic(), django_assert_num_queries(1), jobs_batched():
        assert enqueue(NO_OP_JOB, booking_id=1, at=at) is None
        with jobs_batched():  # a nested block joins the outer one
            enqueue("notifications.send", outbox_id=2)
        enqueue("notifications.send", outbox_id=3)
    written = list(ProcrastinateJob.objects.order_by("id").values_list("task_name", "args", "scheduled_at"))
    assert written == [
        (NO_OP_JOB, {"booking_id": 1}, at),
        ("notifications.send", {"outbox_id": 2}, None),
        ("notifications.send", {"outbox_id": 3}, None),
    ]


def test_a_batch_that_raises_writes_nothing_and_queueing_locks_are_written_at_once():
    locked = []

    def fail_in_a_batch():
        with jobs_batched():
            enqueue(NO_OP_JOB, booking_id=1)
            locked.append(enqueue("tattoo.purge_idempotency_keys", queueing_lock="only-one"))
            locked.append(ProcrastinateJob.objects.filter(pk=locked[0]).exists())  # already written
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fail_in_a_batch()
    assert locked[1] is True
    assert list(ProcrastinateJob.objects.values_list("task_name", flat=True)) == ["tattoo.purge_idempotency_keys"]
