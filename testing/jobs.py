"""pytest plugin: real job workers against the test database (docs/jobs.md).

Registered from the root conftest (``pytest_plugins``). Two ways to run jobs, both on PostgreSQL:

- ``run_jobs()`` (fixture): a Procrastinate worker in this process that runs every job due now and
  returns when none is left. Jobs are committed rows, so tests that use it are transactional.
- ``job_workers.start()`` (fixture): a ``manage.py procrastinate worker`` subprocess, exactly the
  Procfile's ``jobs`` process, pointed at this test process's database (for kills, several
  workers side by side, periodic jobs). Stopped at the end of the test.

Unit tests of a task body call the task function directly, or use ``in_memory_jobs`` (the
engine's InMemoryConnector) to see what was enqueued without a database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """postgres:// URL of the database this test process uses (pytest-django's test database)."""
    from django.db import connection

    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{quote(s['NAME'], safe='')}"


def run_due_jobs(**options) -> None:
    """Run every job that is due now on an in-process worker, then return (no periodic jobs)."""
    from django.db import connections
    from procrastinate.contrib.django import procrastinate_app
    from procrastinate.periodic import PeriodicRegistry

    app = procrastinate_app.current_app
    registry = app.periodic_registry
    app.periodic_registry = PeriodicRegistry()  # the sweeps run only where a test asks for them
    # The worker runs sync jobs in pool threads whose Django connections the engine closes after
    # each job only once CONN_MAX_AGE is over: no age, so none outlives the run (and the test DB).
    db = connections.settings["default"]
    max_age, db["CONN_MAX_AGE"] = db["CONN_MAX_AGE"], 0
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
                worker_app.run_worker(
                    wait=False, install_signal_handlers=False, listen_notify=False, **{"concurrency": 1, **options}
                )
        except BaseException as exc:  # handed to the test below
            failure.append(exc)

    # Its own thread: the engine runs an event loop, and this thread may already have one running
    # (Playwright's sync API leaves one behind in browser tests).
    try:
        thread = threading.Thread(target=run, name="run_jobs")
        thread.start()
        thread.join(timeout=120)
        if thread.is_alive():
            raise AssertionError("the in-process job worker did not finish within 120 s")
        if failure:
            raise failure[0]
    finally:
        app.periodic_registry = registry
        db["CONN_MAX_AGE"] = max_age


@pytest.fixture
def run_jobs(transactional_db):
    return run_due_jobs


class JobClock:
    """Python's clock (time-machine) and the job queue's idea of "due" moved together.

    The queue compares `scheduled_at` with PostgreSQL's own clock, which time-machine does not move;
    so each job is remembered at the time it was planned for, and on each move the jobs due by the
    test's clock are made due now and the others never, before the in-process worker runs
    (bookings/tests/test_notices.py's reminders, reviews/tests/test_aftercare.py)."""

    def __init__(self, traveller, run_jobs):
        self.traveller, self.run_jobs, self.planned = traveller, run_jobs, {}

    def run_at(self, moment) -> None:
        from django.db import connection

        self.traveller.move_to(moment)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, scheduled_at FROM procrastinate_jobs WHERE status = 'todo'")
            for job_id, at in cursor.fetchall():
                self.planned.setdefault(job_id, at)
            for job_id, at in self.planned.items():
                due = at is None or at <= moment
                cursor.execute(
                    "UPDATE procrastinate_jobs SET scheduled_at = %s WHERE id = %s AND status = 'todo'",
                    [None if due else "9999-01-01T00:00:00+00:00", job_id],
                )
        self.run_jobs()


@dataclass
class WorkerProcess:
    proc: subprocess.Popen
    name: str
    lines: list[str] = field(default_factory=list)

    def kill(self) -> None:
        """SIGKILL: no cleanup, no heartbeat removal; its running job is left `doing`."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, the graceful stop the Procfile's process manager sends; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode


class JobWorkers:
    """Start `manage.py procrastinate worker` processes on the test database."""

    def __init__(self) -> None:
        self.started: list[WorkerProcess] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env |= {
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "testing.worker_settings",
            "PYTHONUNBUFFERED": "1",
            "JOBS_POLL_SECONDS": "0.2",
            "JOBS_HEARTBEAT_SECONDS": "0.5",
            "JOBS_STALLED_AFTER_SECONDS": "2",
            "JOBS_SHUTDOWN_TIMEOUT_SECONDS": "5",
            "LOG_LEVEL": "INFO",
            # Mail goes nowhere unless a test points the worker at a catcher (mail_catcher.worker_env()):
            # never to whatever happens to listen on the development SMTP port.
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
        env.update(extra)
        return env

    def start(self, *, name: str = "", **extra_env: str) -> WorkerProcess:
        name = name or f"jobs-{len(self.started) + 1}"
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker", "--name", name],
            cwd=ROOT,
            env=self.env(**extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        worker = WorkerProcess(proc=proc, name=name)

        def drain() -> None:
            for raw in iter(proc.stdout.readline, b""):
                line = raw.decode(errors="replace").rstrip()
                worker.lines.append(line)

        threading.Thread(target=drain, daemon=True).start()
        self.started.append(worker)
        return worker

    def stop_all(self) -> None:
        from testing.logcheck import record_output

        for worker in self.started:
            worker.stop()
            record_output(worker.name, "\n".join(worker.lines))  # searched for secrets at the end


@pytest.fixture
def job_workers(transactional_db):
    workers = JobWorkers()
    yield workers
    workers.stop_all()


@pytest.fixture
def in_memory_jobs():
    """The engine's InMemoryConnector in place of PostgreSQL: for unit tests of what is enqueued
    (``in_memory_jobs.connector.jobs``) and of task bodies, never for job flows."""
    from procrastinate import testing
    from procrastinate.contrib.django import procrastinate_app

    with procrastinate_app.current_app.replace_connector(testing.InMemoryConnector()) as app:
        yield app


JOB_TABLES = "procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, procrastinate_workers"


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server", "run_jobs", "job_workers"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _empty_job_tables(request, django_db_blocker):
    """The engine's tables are not Django-managed, so a transactional test's flush leaves them
    alone: empty them after such a test, so no job outlives the test that enqueued it."""
    yield
    if not _transactional(request):
        return
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {JOB_TABLES} RESTART IDENTITY CASCADE")
