"""The `--clock` option (testing/clock.py) that `make test-clocks` relies on really moves
the clock of every test process, xdist workers included; a typo in the instant is a usage error."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent(
    """
    from datetime import UTC, datetime

    def test_the_clock_reads_the_given_instant():
        now = datetime.now(UTC)
        assert (now.year, now.month, now.day) == (2028, 2, 29), now
    """
)


def run(tmp_path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_probe.py").write_text(PROBE)
    # Only the plugin under test (and xdist where asked): no Django, no other entry points.
    command = [sys.executable, "-m", "pytest", "-q", "-p", "testing.clock", "-p", "no:cacheprovider"]
    command += ["-c", "/dev/null", "--rootdir", str(tmp_path), *args, str(tmp_path)]
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env=env)


@pytest.mark.parametrize("workers", [[], ["-p", "xdist.plugin", "-n", "2"]], ids=["one-process", "xdist"])
def test_the_whole_process_runs_at_the_given_instant(tmp_path, workers):
    moved = run(tmp_path, "--clock=2028-02-29T15:50:00+00:00", *workers)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    elsewhere = run(tmp_path, "--clock=2027-01-01T00:00:00Z", *workers)  # the probe can fail
    assert elsewhere.returncode == 1, elsewhere.stdout + elsewhere.stderr


def test_an_instant_without_an_offset_is_refused(tmp_path):
    refused = run(tmp_path, "--clock=2028-02-29T15:50:00")
    assert refused.returncode == 4
    assert "needs an offset" in refused.stderr


def test_tests_that_start_real_clock_processes_are_left_out(tmp_path):
    (tmp_path / "test_stack.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.fixture
            def qpay_worker():
                return "a process on the real clock"

            def test_it_talks_to_the_worker(qpay_worker):
                raise AssertionError("must not run under --clock")
            """
        )
    )
    moved = run(tmp_path, "--clock=2028-02-29T15:50:00+00:00")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "1 passed, 1 deselected" in moved.stdout
