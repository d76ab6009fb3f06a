"""pytest plugin: under xdist, the migrations run once, and each worker's test database is a copy.

Without it every pytest-xdist worker creates its own test database (test_inkbook_gw0, ...) and
runs every migration into it before its first database test: about 8 s of CPU each, both at once
on two cores. With it:

* The controller (the process that starts the workers and runs no test) migrates one template
  database, ``test_inkbook_template``, in a subprocess (``python -m testing.dbtemplate``) that
  starts at once, while the workers start and collect the tests. It is Django's own test-database
  creation (``create_test_db``: create, ``migrate``, the cache table), under the same settings and
  the same ``--clock``.
* Each worker waits for it, then sets Django's ``TEST["TEMPLATE"]`` so that PostgreSQL creates its
  test database as a copy (``CREATE DATABASE ... TEMPLATE``: every table, row, function, extension
  and sequence as the migrations left them), and runs Django's test-database setup as before,
  ``migrate`` included: it finds every migration applied, so a template that were missing one
  would still be brought up to date, and the tests get the database a full migration makes.
* A template that failed makes the workers warn (with the subprocess's last output) and migrate
  from scratch, as before, so a broken migration fails where it always did.

Only under xdist, and not with pytest-django's ``--reuse-db`` or ``--nomigrations``; the
controller drops the template at the end of the run.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

TEMPLATE_ENV = "INKBOOK_TEST_DB_TEMPLATE"  # the template's name, for the workers
STATUS_ENV = "INKBOOK_TEST_DB_TEMPLATE_STATUS"  # a file: "ok", or why not
CLOCK_ENV = "INKBOOK_TEST_DB_TEMPLATE_CLOCK"  # the run's --clock, for the subprocess
WAIT_SECONDS = 600  # a ceiling, not an expectation: migrating takes seconds
ROOT = Path(__file__).resolve().parent.parent


def _template_name() -> str:
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    return (settings_dict["TEST"].get("NAME") or f"test_{settings_dict['NAME']}") + "_template"


def _wanted(config: pytest.Config) -> bool:
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return False  # a worker, or no xdist workers: nothing to share
    if config.getoption("reuse_db", False) or config.getoption("nomigrations", False):
        return False  # pytest-django's own shortcuts keep their meaning
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


class _Template:
    def __init__(self, config: pytest.Config) -> None:
        self.name = _template_name()
        self.dir = Path(tempfile.mkdtemp(prefix="inkbook-db-template-"))
        self.status = self.dir / "status"
        self.log = self.dir / "output.txt"  # read by the workers when it failed
        env = dict(os.environ)
        clock = config.getoption("--clock", None)
        if clock:
            env[CLOCK_ENV] = clock
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "testing.dbtemplate", self.name, str(self.status)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        os.environ[TEMPLATE_ENV] = self.name
        os.environ[STATUS_ENV] = str(self.status)

    def drop(self, config: pytest.Config) -> None:
        if self.proc.poll() is None:  # the run ended first (no database test, or an early failure)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        connection = connections["default"]
        with config.stash[blocking_manager_key].unblock(), connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(self.name)} WITH (FORCE)")
        for path in (self.status, self.log):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.dir.rmdir()


_template: _Template | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _template
    if _wanted(config):
        _template = _Template(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _template
    if _template is not None:
        _template.drop(config)
        _template = None
        os.environ.pop(TEMPLATE_ENV, None)
        os.environ.pop(STATUS_ENV, None)


def _ready_template(request: pytest.FixtureRequest) -> str | None:
    """The template's name once the controller's subprocess has made it, else None."""
    name, status = os.environ.get(TEMPLATE_ENV), os.environ.get(STATUS_ENV)
    if not (name and status and hasattr(request.config, "workerinput")):
        return None
    path = Path(status)
    deadline = time.monotonic() + WAIT_SECONDS
    while not path.exists():
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)
    if path.read_text().strip() == "ok":
        return name
    output = path.with_name("output.txt")
    tail = output.read_text(errors="replace")[-2000:] if output.exists() else ""
    request.node.warn(
        pytest.PytestWarning(f"no template test database ({path.read_text().strip()}); migrating from scratch\n{tail}")
    )
    return None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix) -> None:
    """pytest-django's hook for the test database's settings, run before it is created."""
    template = _ready_template(request)
    if template is not None:
        from django.db import connections

        connections["default"].settings_dict["TEST"]["TEMPLATE"] = template


# --- the subprocess: python -m testing.dbtemplate NAME STATUS_FILE ----------------------------


def _write_status(path: Path, text: str) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(text)
    partial.replace(path)  # the workers never read half a status


def main(argv: list[str]) -> int:
    name, status = argv[0], Path(argv[1])
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tattoo.settings")
        clock = os.environ.get(CLOCK_ENV)
        if clock:  # the workers migrate on the moved clock under --clock: so does the template
            from datetime import datetime

            import time_machine

            time_machine.travel(datetime.fromisoformat(clock), tick=True).start()
        import django

        django.setup()
        from django.db import connections

        connection = connections["default"]
        connection.settings_dict["TEST"]["NAME"] = name
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
        connection.close()
    except BaseException as exc:  # any failure, even sys.exit, is reported to the workers
        _write_status(status, f"the template migration failed: {exc!r}")
        raise
    _write_status(status, "ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
