"""Strict modules never hide behind the type baseline (docs/types.md).

`make lint` runs mypy and lets through only the errors mypy-baseline.txt lists. The modules below
are typed to pyproject.toml's strict flags with no error left, and must stay so: the baseline may
name none of them (a new error there is fixed, never listed). Extend the list as modules are typed.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "mypy-baseline.txt"

# mypy module patterns ("pkg.*" is the package and everything under it)
STRICT_WITHOUT_BASELINE = [
    "tattoo.core.*",
    "accounts.services",
    "bookings.rules",
    "bookings.services.*",
    "consultations.services.*",
    "disputes.services",
    "ideas.services",
    "notifications.services",
    "payments.ledger",
    "payments.selectors",
    "payments.services.*",
    "portfolio.services",
    "reviews.services",
    "search.services",
]

# The flags of mypy's `strict` that pyproject.toml turns on module by module.
STRICT_FLAGS = (
    "disallow_untyped_defs",
    "disallow_incomplete_defs",
    "disallow_untyped_calls",
    "disallow_untyped_decorators",
    "disallow_any_generics",
    "disallow_subclassing_any",
    "warn_return_any",
    "no_implicit_reexport",
    "strict_equality",
    "extra_checks",
)


def _matches(module: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        package = pattern[:-2]
        return module == package or module.startswith(package + ".")
    return module == pattern


def _module_of(path: str) -> str:
    parts = list(Path(path.removesuffix(".pyi").removesuffix(".py")).parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _strict_entries(lines: list[str]) -> list[str]:
    """The baseline lines that name a module of STRICT_WITHOUT_BASELINE."""
    return [
        line
        for line in lines
        if ": error: " in line and any(_matches(_module_of(line.split(":", 1)[0]), p) for p in STRICT_WITHOUT_BASELINE)
    ]


def _strict_overrides() -> list[list[str]]:
    """The module lists of pyproject.toml's [[tool.mypy.overrides]] that set every strict flag."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    return [
        override["module"] if isinstance(override["module"], list) else [override["module"]]
        for override in config.get("overrides", [])
        if all(override.get(flag) is True for flag in STRICT_FLAGS)
    ]


def test_the_baseline_names_no_strict_module():
    lines = BASELINE.read_text(encoding="utf8").splitlines()
    assert _strict_entries(lines) == [], "fix these errors instead of listing them (docs/types.md)"


def test_the_check_would_catch_a_strict_module_in_the_baseline():
    listed = [
        "tattoo/core/uploads/presign.py:0: error: Function is missing a return type annotation  [no-untyped-def]",
        'tattoo/core/templatetags/__init__.py:0: error: Name "x" is not defined  [name-defined]',
        'tattoo/site/views/dashboard.py:0: error: "Booking" has no attribute "moves"  [attr-defined]',
        'tattoo/coreutils.py:0: error: Returning Any from function declared to return "str"  [no-any-return]',
    ]
    assert _strict_entries(listed) == listed[:2]


def test_the_modules_kept_out_of_the_baseline_are_checked_with_the_strict_flags():
    overrides = [pattern for modules in _strict_overrides() for pattern in modules]
    for pattern in STRICT_WITHOUT_BASELINE:
        module = pattern.removesuffix(".*")
        assert any(_matches(module, covering) for covering in overrides), f"{pattern} is not under the strict flags"
