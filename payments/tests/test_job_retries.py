"""A job that calls the QPay worker retries with backoff while it is unreachable, then ends
`failed`, where staff see it in the admin and retry it (docs/jobs.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from bookings.models import Booking
from bookings.tests.helpers import open_every_day
from bookings.tests.jobhelpers import hold
from payments.services.invoices import payment_create
from tattoo.core.jobs import OUTSIDE_SERVICE_RETRY
from testing.clients import staff_login
from testing.qpay_worker import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def make_due(job_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = %s", [job_id])


def test_an_unreachable_worker_means_retries_with_backoff_then_a_failed_job_staff_can_retry(
    tattooist, customer, admin_user, qpay_worker, run_jobs, settings, client
):
    open_every_day(tattooist)
    booking = hold(customer, tattooist, expires_in=timedelta(minutes=-1))
    payment_create(user=customer, booking_id=booking.pk)  # an open invoice: expiry must ask QPay first
    settings.QPAY_WORKER_URL = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    job = ProcrastinateJob.objects.filter(task_name="bookings.expire_hold", args={"booking_id": booking.pk})

    # The retry is scheduled `wait` after the failed attempt ended, somewhere between `before` and
    # `after` (a loaded machine may take a second or more per attempt): bound it from both sides.
    windows = []
    for attempt in range(OUTSIDE_SERVICE_RETRY.max_attempts):
        before = timezone.now()
        run_jobs()
        after = timezone.now()
        current = job.get()
        assert (current.status, current.attempts) == ("todo", attempt + 1)
        windows.append(
            ((current.scheduled_at - after).total_seconds(), (current.scheduled_at - before).total_seconds())
        )
        make_due(current.pk)
    for (low, high), wait in zip(windows[:4], [2, 4, 8, 16], strict=True):  # exponential backoff
        assert low - 0.5 <= wait <= high + 0.5, (windows[:4], wait)
    assert Booking.objects.get(pk=booking.pk).status == "pending"  # kept: the payment check never ran

    run_jobs()  # the last attempt
    assert job.get().status == "failed"  # not a silent loop
    assert client.get("/healthz").json()["jobs"]["failed"] == 1

    staff_login(client, admin_user)
    page = client.get("/admin/procrastinate/procrastinatejob/", {"status__exact": "failed"})
    assert page.status_code == 200
    assert "bookings.expire_hold" in page.content.decode()
    retried = client.post(
        "/admin/procrastinate/procrastinatejob/",
        {"action": "retry", "_selected_action": [job.get().pk]},
    )
    assert retried.status_code == 302
    assert job.get().status == "todo"

    settings.QPAY_WORKER_URL = qpay_worker.worker_url  # the cause is fixed
    run_jobs()
    assert job.get().status == "succeeded"
    assert Booking.objects.get(pk=booking.pk).status == "expired"


def test_a_bug_is_not_retried():
    class Job:
        attempts = 0

    assert OUTSIDE_SERVICE_RETRY.get_retry_decision(exception=KeyError("bug"), job=Job()) is None
