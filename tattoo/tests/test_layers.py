"""The layer contracts (pyproject.toml, [tool.importlinter]) hold on this tree, and a deliberately
wrong import turns them red: the check is real, not a contract that can never fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _copy_tree(dest: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    for name in PACKAGES:
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def test_the_layer_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "message"),
    [
        ("tattoo/core/money.py", "from bookings import models", "tattoo.core is not allowed to import bookings"),
        ("accounts/services.py", "from disputes import models", "accounts is not allowed to import disputes"),
        ("bookings/services/create.py", "from portfolio import models", "bookings is not allowed to import portfolio"),
        ("notifications/services.py", "from bookings import models", "notifications is not allowed to import bookings"),
        ("payments/services/checks.py", "from ideas import models", "payments is not allowed to import ideas"),
        ("reviews/admin.py", "from backoffice import views", "reviews is not allowed to import backoffice"),
        ("qpay_worker/app.py", "import django", "qpay_worker is not allowed to import django"),
        ("payments/worker_client.py", "from qpay_worker import app", "payments is not allowed to import qpay_worker"),
    ],
)
def test_a_wrong_import_breaks_a_contract(tmp_path, module, wrong_import, message):
    _copy_tree(tmp_path)
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{wrong_import}  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert message in " ".join(result.stdout.split()), result.stdout
