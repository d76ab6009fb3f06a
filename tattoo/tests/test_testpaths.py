"""Every app's tests run with the suite: a merge once dropped `consultations` from pytest.ini's
testpaths, and its tests silently stopped running (and hid a failure)."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _testpaths() -> set[str]:
    ini = configparser.ConfigParser()
    ini.read(ROOT / "pytest.ini")
    return set(ini["pytest"]["testpaths"].split())


def test_every_folder_holding_tests_is_in_testpaths():
    holders = {path.parent.parent.name for path in ROOT.glob("*/tests/__init__.py")}
    holders |= {"tests"} if (ROOT / "tests").is_dir() else set()
    assert {"bookings", "consultations", "backoffice", "tests"} <= holders, "the scan finds the test folders"
    assert holders - _testpaths() == set()
