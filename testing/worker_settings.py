"""Settings of the job-worker processes the tests start (testing/jobs.py): the product's
settings plus the test-only tasks (testing/tasks.py) and a stalled-job check every second,
so a test sees a killed worker's job retried within seconds instead of a minute."""

from tattoo.settings import *  # noqa: F403

PROCRASTINATE_IMPORT_PATHS = ["testing.tasks"]
JOBS_STALLED_CHECK_CRON = "* * * * * *"
