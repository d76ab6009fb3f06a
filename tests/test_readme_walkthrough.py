"""The curl walkthrough (docs/walkthrough.md) and `make demo` (scripts/demo.py), run against a live stack.

The stack is the real thing on loopback: the web app (pytest-django's live server), the QPay worker
and sandbox processes (fixture `qpay_worker`), the local S3 server (fixture `s3_server`, so the seed
can upload its image), seeded with `manage.py seed`. The walkthrough's commands are extracted from between
its markers and run with bash exactly as written, with BASE/SANDBOX pointing at this stack.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from bookings.models import Booking
from payments.models import Transaction

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
WALKTHROUGH = "docs/walkthrough.md"
START, END = "<!-- walkthrough:start -->", "<!-- walkthrough:end -->"


def readme_walkthrough() -> str:
    text = (ROOT / WALKTHROUGH).read_text()
    assert START in text, f"{WALKTHROUGH} lost its walkthrough start marker"
    assert END in text, f"{WALKTHROUGH} lost its walkthrough end marker"
    section = text.split(START, 1)[1].split(END, 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "exactly one ```sh block belongs between the walkthrough markers"
    return blocks[0]


@pytest.fixture
def stack(live_server, qpay_worker, s3_server, settings):
    settings.PAYMENT_NOTIFY_URL = f"{live_server.url}/api/payments/notify"
    settings.SITE_URL = live_server.url
    settings.DEBUG = True  # the demo seed (refused outside DEBUG)
    call_command("seed", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEED_")}
    env |= {"BASE": live_server.url, "SANDBOX": qpay_worker.sandbox_url, "PYTHONUNBUFFERED": "1"}
    return env


def run(cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def assert_confirmed_and_paid(booking_id: int) -> None:
    booking = Booking.objects.get(pk=booking_id)
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    txn = Transaction.objects.get(booking=booking)
    assert txn.status == "paid"
    assert txn.qpay_payment_id


def test_the_readme_walkthrough_books_and_pays_with_curl(stack):
    assert shutil.which("curl"), "curl is needed by the walkthrough"
    script = readme_walkthrough()
    # The commands use only the variables the walkthrough tells readers to set.
    assert "BASE=${BASE:-http://127.0.0.1:8000}" in script
    assert "SANDBOX=${SANDBOX:-http://127.0.0.1:8002}" in script

    result = run(["bash", "-euo", "pipefail", "-c", script], stack)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "booking confirmed paid", result.stdout
    assert "payment paid" in lines
    booking_id = int(re.search(r"^booking (\d+)$", result.stdout, flags=re.M).group(1))
    assert_confirmed_and_paid(booking_id)


def test_make_demo_books_and_pays_twice(stack):
    first = run([sys.executable, "scripts/demo.py"], stack)
    assert first.returncode == 0, first.stdout + first.stderr
    second = run([sys.executable, "scripts/demo.py"], stack)
    assert second.returncode == 0, second.stdout + second.stderr

    ids = [int(m) for out in (first.stdout, second.stdout) for m in re.findall(r"^Done: booking #(\d+)", out, re.M)]
    assert len(ids) == 2
    assert ids[0] != ids[1]
    for booking_id in ids:
        assert_confirmed_and_paid(booking_id)
    for step in (
        "log in as the seeded customer",
        "checkout URL",
        "sandbox/invoices/",
        "status=confirmed paymentStatus=paid",
    ):
        assert step in first.stdout


def test_the_demo_exits_non_zero_when_the_stack_is_not_there():
    from testing.qpay_worker import free_port

    env = dict(os.environ) | {"BASE": f"http://127.0.0.1:{free_port()}"}
    result = run([sys.executable, "scripts/demo.py"], env)
    assert result.returncode == 1
    assert "demo FAILED" in result.stderr
