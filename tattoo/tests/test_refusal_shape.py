"""One refusal shape across services (docs/glossary.md, "refusal"): every `*_refusal` predicate
answers an ApplicationError (or a subclass: the error carries its code, status and field
messages) or None, so pages and the API raise or show it without unpacking tuples or strings."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".venv-peer", ".venv-bench", "node_modules", "migrations", "tests", "testing", "bench", ".data"}
ERRORS = {"ApplicationError", "ConflictError", "NotAllowedError", "NotFoundError", "RateLimited"}


def _refusals() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in ROOT.rglob("*.py"):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_refusal"):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", node))
    return found


def _shape(node: ast.FunctionDef) -> set[str]:
    """The names in the return annotation's `A | B | None`."""
    names: set[str] = set()
    todo = [node.returns] if node.returns is not None else []
    while todo:
        part = todo.pop()
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.BitOr):
            todo += [part.left, part.right]
        elif isinstance(part, ast.Constant) and part.value is None:
            names.add("None")
        elif isinstance(part, ast.Name):
            names.add(part.id)
        else:
            names.add(ast.unparse(part))
    return names


def test_every_refusal_returns_an_application_error_or_none():
    refusals = _refusals()
    assert len(refusals) >= 20, "the scan found the services' refusal predicates"
    wrong = [where for where, node in refusals if not (_shape(node) - {"None"} <= ERRORS and "None" in _shape(node))]
    assert wrong == [], "a refusal answers `SomeApplicationError | None` (docs/glossary.md)"


def test_the_check_catches_a_string_refusal():
    bad = ast.parse("def x_refusal(*, booking) -> str | None: ...").body[0]
    good = ast.parse("def x_refusal(*, booking) -> ConflictError | None: ...").body[0]
    assert isinstance(bad, ast.FunctionDef)
    assert isinstance(good, ast.FunctionDef)
    assert _shape(bad) == {"str", "None"}
    assert _shape(good) == {"ConflictError", "None"}
