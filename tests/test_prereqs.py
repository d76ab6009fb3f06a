"""`make test` / `make run` check the system packages first (scripts/prereqs.sh) and stop with one
message naming what is missing and the one command that installs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


# --- NodeSource's nodejs carries npm and conflicts with Debian's npm package --------------------


def fake_program(bindir: Path, name: str, script: str) -> None:
    path = bindir / name
    path.write_text("#!/bin/bash\n" + script + "\n")
    path.chmod(0o755)


def machine_with_nodejs(tmp_path: Path, version: str) -> str:
    """node present, the npm command missing, and dpkg saying which nodejs package is installed."""
    path = bare_path(tmp_path, "bash", "ls", "awk", "tr", "python3", "node", "msgfmt", "xgettext")
    fake_program(Path(path), "dpkg-query", f'[ "${{@: -1}}" = nodejs ] && printf %s "{version}" || exit 1')
    return path


def test_a_nodesource_machine_without_the_npm_command_is_never_told_to_install_debians_npm(tmp_path):
    path = machine_with_nodejs(tmp_path, "20.20.2-1nodesource1")
    result = run(["bash", "scripts/prereqs.sh", "run"], path=path)
    assert result.returncode == 1
    assert "part of NodeSource's nodejs 20.20.2-1nodesource1: reinstall nodejs" in result.stderr
    assert "sudo apt-get install nodejs\n" in result.stderr
    packages = run(["bash", "scripts/prereqs.sh", "--packages", "run"], path=path).stdout.split()
    assert packages == ["nodejs"]


def test_a_debian_nodejs_without_npm_is_told_to_install_debians_npm(tmp_path):
    path = machine_with_nodejs(tmp_path, "18.19.0+dfsg-6~deb12u2")
    packages = run(["bash", "scripts/prereqs.sh", "--packages", "run"], path=path).stdout.split()
    assert "npm" in packages


def readme_apt_line() -> str:
    lines = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("sudo apt-get install")]
    assert len(lines) == 1, "the README has one apt line"
    return lines[0]


@pytest.mark.parametrize("has_npm", [True, False], ids=["nodesource-with-npm", "debian-without-npm"])
def test_the_readme_apt_line_asks_for_npm_only_where_the_npm_command_is_missing(tmp_path, has_npm):
    # `sudo` records what it was asked; npm exists (NodeSource's nodejs) or not (Debian's).
    path = bare_path(tmp_path, "bash", "cat")
    log = tmp_path / "asked"
    fake_program(Path(path), "sudo", f'echo "$@" >> "{log}"')
    if has_npm:
        fake_program(Path(path), "npm", "exit 0")
    result = run(["bash", "-c", readme_apt_line()], path=path)
    assert result.returncode == 0, result.stderr
    asked = log.read_text().splitlines()
    assert asked[0] == "apt-get install python3-venv nodejs postgresql postgresql-contrib chromium gettext"
    assert asked[1:] == ([] if has_npm else ["apt-get install npm"])
