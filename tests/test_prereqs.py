"""`make test` / `make run` check the system packages first (scripts/prereqs.sh) and stop with one
message naming what is missing and the one command that installs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bare_path(tmp_path: Path, *keep: str) -> str:
    """A PATH holding only the named programs (symlinked), so node/npm can be 'missing'."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in keep:
        # python3 may be a pyenv shim (a script needing pyenv on PATH): take this interpreter.
        found = sys.executable if name == "python3" else shutil.which(name)
        assert found, f"{name} must exist on this machine for the test"
        (bindir / name).symlink_to(found)
    return str(bindir)


def run(args: list[str], *, path: str, chromium: str = "/usr/bin/chromium") -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": path, "PREREQS_CHROMIUM": chromium}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_a_machine_without_chromium_node_npm_and_gettext_gets_one_message(tmp_path):
    path = bare_path(tmp_path, "bash", "ls", "awk", "tr", "python3", "make", "env")
    result = run(["make", "test"], path=path, chromium=str(tmp_path / "no-chromium"))
    assert result.returncode != 0
    message = result.stderr
    assert "make test: missing system packages:" in message
    assert "Chromium at" in message
    assert "Node.js" in message
    assert "npm" in message
    assert "GNU gettext" in message
    assert "sudo apt-get install nodejs npm gettext chromium" in message
    assert "devenv.py" not in result.stdout + message  # it stopped before running anything


def test_make_run_does_not_ask_for_chromium(tmp_path):
    result = run(["bash", "scripts/prereqs.sh", "run"], path=os.environ["PATH"], chromium=str(tmp_path / "none"))
    assert result.returncode == 0, result.stderr


def test_ci_gets_the_package_names_to_install(tmp_path):
    path = bare_path(tmp_path, "bash", "ls", "awk", "tr", "python3", "node", "npm", "msgfmt", "xgettext")
    result = run(["bash", "scripts/prereqs.sh", "--packages", "test"], path=path, chromium=str(tmp_path / "none"))
    assert result.returncode == 0
    assert result.stdout.split() == ["chromium"]


def test_this_machine_has_everything():
    result = run(["bash", "scripts/prereqs.sh", "test"], path=os.environ["PATH"])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
