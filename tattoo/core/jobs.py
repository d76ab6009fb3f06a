"""Background jobs: the one module through which code enqueues work (docs/jobs.md).

The engine is Procrastinate on the app's own PostgreSQL (`procrastinate.contrib.django`). Its
Django connector writes a job with Django's connection, so `enqueue()` called inside
`transaction.atomic()` commits or rolls back with the change that caused it: a hold and its
expiry job exist together or not at all, and a rolled-back change never runs its job.

Task bodies live in each app's `tasks.py` (found by the engine's autodiscovery) and stay a few
lines that call a service, so a later move to another engine (Django's tasks API) stays cheap.
Code in a lower layer enqueues a task of a higher layer by its name (a job name is a message, not
an import); every name is registered on the app, and a test checks that the names used exist.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

import requests
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job
from procrastinate.manager import JobManager
from procrastinate.testing import InMemoryConnector

from tattoo.core.errors import UpstreamUnavailable

__all__ = [
    "OUTSIDE_SERVICE_RETRY",
    "app",
    "batched",
    "enqueue",
    "queue_health",
]

log = logging.getLogger("inkbook.jobs")

# Jobs that call an outside service (the QPay worker, the bucket) or meet a busy database retry
# with exponential backoff: 2, 4, 8, ... 1024 s between 11 attempts (about 34 minutes in all), then
# end `failed`, where staff see and retry them (Django admin → Procrastinate → jobs). Any other
# exception is a bug: the job fails at once instead of looping.
OUTSIDE_SERVICE_RETRY = RetryStrategy(
    max_attempts=10,
    exponential_wait=2,
    retry_exceptions={UpstreamUnavailable, requests.RequestException, OperationalError, InterfaceError},
)


_DJANGO_JOBS = JobManager(connector=DjangoConnector())


# The jobs written by enqueue() inside `batched()` blocks, per thread (each request, job or test
# thread has its own), flushed in one statement at the end of the outermost block.
_batch: ContextVar[list[tuple[JobManager, Job]] | None] = ContextVar("inkbook_jobs_batch", default=None)


def enqueue(
    task: Any,
    *,
    at: datetime | None = None,
    lock: str | None = None,
    queueing_lock: str | None = None,
    **kwargs: Any,
) -> int | None:
    """Write a job for `task` (a task or its registered name) in the caller's transaction.

    `at`: run no earlier than this (timezone-aware); default now. `lock`: jobs sharing it run one at
    a time. `queueing_lock`: at most one such job waiting; a second enqueue is a no-op (returns None)
    and never aborts the caller's transaction. Arguments must be JSON values. Returns the job id
    (None inside `batched()`, where the id is known only once the block writes its jobs).
    """
    name = task if isinstance(task, str) else task.name
    _require_aware(at)
    deferrer = app.configure_task(name, schedule_at=at, lock=lock, queueing_lock=queueing_lock)
    # Always Django's connection, also inside a job: the worker process swaps the app's connector
    # for its own pool, whose autocommit writes would let a job enqueued by a job (a refund by the
    # settle job) run before, or without, the transaction that caused it. (Unit tests that swap in
    # the engine's in-memory connector keep it: they inspect what was enqueued there.)
    manager = deferrer.job_manager if isinstance(app.connector, InMemoryConnector) else _DJANGO_JOBS
    pending = _batch.get()
    if queueing_lock is None and pending is not None:
        pending.append((manager, deferrer.make_new_job(**kwargs)))
        return None
    deferrer.job_manager = manager
    if queueing_lock is None:
        return deferrer.defer(**kwargs)
    # A savepoint: a queueing-lock clash is a unique violation, which would otherwise abort the
    # caller's whole transaction.
    try:
        with transaction.atomic():
            return deferrer.defer(**kwargs)
    except AlreadyEnqueued:
        log.debug("job %s already waiting under queueing lock %s", name, queueing_lock)
        return None


@contextmanager
def batched() -> Iterator[None]:
    """Collect the jobs enqueue() writes inside the block and write them all with one statement
    when the block ends (inside the caller's transaction, before its commit), instead of one
    statement each: for a change that causes several jobs (a booking's expiry and its mails).
    Nested blocks join the outermost one. Jobs with a queueing lock are written at once (they need
    their savepoint). A block that raises writes nothing."""
    if _batch.get() is not None:
        yield
        return
    pending: list[tuple[JobManager, Job]] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    for manager in {id(m): m for m, _ in pending}.values():
        manager.batch_defer_jobs(jobs=[job for m, job in pending if m is manager])


def _require_aware(at: datetime | None) -> None:
    if at is not None and (at.tzinfo is None or at.utcoffset() is None):
        raise ValueError("a job's run time (at=...) must be a timezone-aware datetime")


def queue_health() -> dict[str, Any]:
    """What /healthz says about the queue: the age of the oldest job that is due but not started
    (a stalled queue shows as a growing age), and how many jobs ended failed (staff retry them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT
              (SELECT EXTRACT(EPOCH FROM now() - min(coalesce(j.scheduled_at, e.at)))
                 FROM procrastinate_jobs j
                 LEFT JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'
                WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())),
              (SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed')
            """
        )
        oldest, failed = cursor.fetchone()
    oldest_seconds = max(0.0, round(float(oldest), 1)) if oldest is not None else 0.0
    return {
        "status": "stalled" if oldest_seconds > settings.JOBS_HEALTH_MAX_DELAY_SECONDS else "ok",
        "oldestDueSeconds": oldest_seconds,
        "failed": failed,
    }
