"""`BOOKING_HOLD_MINUTES=… make run`, then book and do nothing: the booking turns `expired` and its
slot is offered again, with no command run by hand.

The stack is the Procfile's own `web` and `jobs` processes started by honcho, as `make run` does,
on this test process's database. The hold is 0.05 minute (3 s) by default (the suite stays fast);
`STACK_TEST_HOLD_MINUTES=2 make test PYTEST_ARGS=tests/test_hold_expiry_stack.py` runs the issue's
literal two-minute check (docs/jobs.md). The bound is the one the product promises: expired within
the hold plus 30 seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from accounts.tokens import tokens_for_user
from bookings.models import Booking, BookingEvent
from bookings.tests.helpers import open_every_day
from testing.jobs import database_url
from testing.logcheck import record_output
from testing.qpay_worker import free_port, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
HOLD_MINUTES = float(os.environ.get("STACK_TEST_HOLD_MINUTES") or 0.05)
PROMISED_SLACK_SECONDS = 30


@pytest.fixture
def stack():
    port = free_port()
    env = dict(os.environ) | {
        "DATABASE_URL": database_url(),
        "PORT": str(port),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "BOOKING_HOLD_MINUTES": str(HOLD_MINUTES),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    honcho = Path(sys.executable).with_name("honcho")
    proc = subprocess.Popen(
        [str(honcho), "-f", "Procfile", "start", "web", "jobs"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: honcho and everything it started
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return proc.poll() is not None  # stop waiting; the assert below says why

    try:
        wait_for(up, timeout=60, interval=0.2)
        assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate(timeout=10)
        record_output("make-run-stack", out.decode(errors="replace"))


def test_a_hold_nobody_pays_expires_and_frees_its_slot_with_no_command_run_by_hand(stack, customer, tattooist):
    open_every_day(tattooist)
    auth = {"Authorization": f"Bearer {tokens_for_user(customer)['access']}"}
    slot = requests.get(f"{stack}/api/tattooists/{tattooist.pk}/slots", timeout=10).json()["slots"][0]["start"]
    created = requests.post(
        f"{stack}/api/bookings",
        json={"tattooistId": tattooist.pk, "slot": slot, "depositAmount": "50000.00"},
        headers=auth,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    booking = created.json()
    assert booking["status"] == "pending"

    def status() -> str:
        return requests.get(f"{stack}/api/bookings/{booking['id']}", headers=auth, timeout=10).json()["status"]

    wait_for(lambda: status() == "expired", timeout=HOLD_MINUTES * 60 + PROMISED_SLACK_SECONDS, interval=0.1)
    held = Booking.objects.get(pk=booking["id"])
    expired = BookingEvent.objects.get(booking=held, to_status="expired")
    assert expired.actor is None  # the jobs process did it, not a person
    assert expired.created_at >= held.hold_expires_at  # not before the hold ran out
    slots = requests.get(f"{stack}/api/tattooists/{tattooist.pk}/slots", timeout=10).json()["slots"]
    assert slot in [s["start"] for s in slots]  # offered again
