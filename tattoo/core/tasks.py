"""Core jobs: the engine's own upkeep and the shared-core sweeps (docs/jobs.md).

Periodic jobs are deferred by every worker and deduplicated by the database (one job per task and
tick), so every machine runs the same worker command. Each also has a queueing lock, so a backlog
never stacks up copies of the same sweep. The management commands of the same names call these
functions directly.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

from django.conf import settings
from procrastinate import JobContext, builtin_tasks

from tattoo.core import images, uploads
from tattoo.core.idempotency import KEY_LIFETIME, idempotency_keys_purge
from tattoo.core.jobs import OUTSIDE_SERVICE_RETRY, app

log = logging.getLogger("inkbook.jobs")

UPLOAD_SWEEP_AFTER = timedelta(hours=24)
# Succeeded jobs are kept a week for inspection in the admin; failed ones until staff act.
KEEP_FINISHED_JOBS_HOURS = 7 * 24


@app.periodic(cron=settings.JOBS_STALLED_CHECK_CRON, periodic_id="retry_stalled_jobs")
@app.task(name="tattoo.retry_stalled_jobs", queueing_lock="tattoo.retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> int:
    """Put back to `todo` the jobs of workers whose heartbeat stopped (SIGKILL, lost machine):
    another worker runs them again, so every job body must be idempotent."""
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=settings.JOBS_STALLED_AFTER_SECONDS))
    for job in stalled:
        log.warning("retrying job %s (%s) of a stalled worker", job.id, job.task_name)
        await manager.retry_job(job)
    return len(stalled)


@app.periodic(cron="17 3 * * *", periodic_id="remove_old_jobs")
@app.task(name="tattoo.remove_old_jobs", queueing_lock="tattoo.remove_old_jobs", pass_context=True)
async def remove_old_jobs(context: JobContext, timestamp: int) -> None:
    await builtin_tasks.remove_old_jobs(context, max_hours=KEEP_FINISHED_JOBS_HOURS, remove_failed=False)


@app.periodic(cron="23 4 * * *", periodic_id="purge_idempotency_keys")
@app.task(name="tattoo.purge_idempotency_keys", queueing_lock="tattoo.purge_idempotency_keys")
def purge_idempotency_keys(timestamp: int | None = None, hours: int | None = None) -> int:
    """Daily: forget Idempotency-Key records older than a day (clients are promised at least that)."""
    older_than = timedelta(hours=hours) if hours else KEY_LIFETIME
    return idempotency_keys_purge(older_than=older_than)


@app.periodic(cron="41 4 * * *", periodic_id="sweep_uploads")
@app.task(name="tattoo.sweep_uploads", queueing_lock="tattoo.sweep_uploads", retry=OUTSIDE_SERVICE_RETRY)
def sweep_uploads(timestamp: int | None = None, hours: int | None = None, dry_run: bool = False) -> dict[str, int]:
    """Daily: DELETES DATA, uploads never attached to a record once older than a day."""
    report = uploads.sweep_unattached(
        older_than=timedelta(hours=hours) if hours else UPLOAD_SWEEP_AFTER, dry_run=dry_run
    )
    return dataclasses.asdict(report)


@app.periodic(cron="*/10 * * * *", periodic_id="retry_object_deletes")
@app.task(name="tattoo.retry_object_deletes", queueing_lock="tattoo.retry_object_deletes")
def retry_object_deletes(timestamp: int | None = None, limit: int | None = None) -> dict[str, int]:
    """Every 10 minutes: retry bucket deletes that failed after their record was deleted (each
    keeps its queue row and error until it succeeds; see tattoo.core.models.PendingObjectDeletion)."""
    done, failed = uploads.retry_pending_deletions(limit=limit)
    return {"deleted": done, "failed": failed}


@app.task(name=images.VARIANTS_TASK, retry=OUTSIDE_SERVICE_RETRY)
def make_image_variants(kind: str, pk: int, key: str, remake: bool = False) -> list[int]:
    """At once, enqueued with every attached image: its WebP variants (tattoo/core/images.py)."""
    return images.image_make_variants(kind=kind, pk=pk, key=key, remake=remake)


@app.periodic(cron="*/10 * * * *", periodic_id="sweep_images")
@app.task(name="tattoo.sweep_images", queueing_lock="tattoo.sweep_images")
def sweep_images(timestamp: int | None = None, check_bucket: bool = False) -> dict[str, int]:
    """Every 10 minutes: a variants job for each image whose variants are missing, or that was
    written before images were re-encoded (those are re-encoded first)."""
    return dataclasses.asdict(images.images_sweep(check_bucket=check_bucket))
