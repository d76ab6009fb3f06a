"""docs/deploy.md's environment checklist and .env.example agree with the variables the code reads.

The names each process reads are extracted from its source with regular expressions that cover
every way this code base reads the environment (the settings helpers env/envbool/envint/envfloat/envlist/
envsecret/envrate, the worker's _required/_float, os.environ.get/[...], a dict named env, process.env in
Node). A dynamic read (a name built at run time) would slip past them, so it fails this test too,
except the NAME_FILE companions of secrets, which the doc describes in prose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deploy.md"
NAME = r"([A-Z][A-Z0-9_]*)"
Q = r"""["']"""

READ_PATTERNS = [
    # settings helpers and the worker's config helpers, the seed's setting()
    re.compile(
        rf"\b(?:env|envbool|envint|envfloat|envurl|envlist|envsecret|envrate|_required|_float|setting)\(\s*{Q}{NAME}{Q}"
    ),
    # os.environ.get("X"), os.getenv("X"), env.get("X"), env.setdefault("X") (a bare `environ` is
    # a WSGI request's, not the process environment)
    re.compile(rf"\b(?:os\.environ|env)\.(?:get|setdefault)\(\s*{Q}{NAME}{Q}"),
    re.compile(rf"\bos\.getenv\(\s*{Q}{NAME}{Q}"),
    # os.environ["X"], env["X"]
    re.compile(rf"\b(?:os\.environ|env)\[\s*{Q}{NAME}{Q}\s*\]"),
    # Node: process.env.X, env.X (scripts/s3-dev-server.js binds `const env = process.env`)
    re.compile(rf"\b(?:process\.env|env)\.{NAME}\b"),
]
# Reads whose name is not a literal: each must be one of the known, documented exceptions.
DYNAMIC_READ = re.compile(
    r"\b(?:os\.environ|env)\.(?:get|setdefault)\(\s*(?![\"'][A-Z])[^)\s]|\bos\.environ\[\s*(?![\"'][A-Z])"
)
ALLOWED_DYNAMIC = {
    # the helpers themselves: env/envbool/envint/envfloat/envurl/envlist/envsecret read
    # os.environ.get(name), and envsecret also os.environ.get(f"{name}_FILE")
    "tattoo/settings.py": 8,
    # _required(name) (and f"{name}_FILE"), _float(name)
    "qpay_worker/config.py": 3,
    # setting(name) and SEED_{role}_PASSWORD: names from DEFAULTS, added below
    "tattoo/site/management/commands/seed.py": 2,
    # the generated secrets from .data/dev.env: names from SECRET_NAMES, added below
    "scripts/devenv.py": 1,
}
# Process environment, not configuration.
NOT_CONFIG = {"PATH", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"}

SOURCES = {
    "web": ["tattoo/settings.py"],
    "seed": ["tattoo/site/management/commands/seed.py"],
    "worker": [
        "qpay_worker/__main__.py",
        "qpay_worker/app.py",
        "qpay_worker/config.py",
        "qpay_worker/qpay_client.py",
        "qpay_worker/server.py",
        "qpay_signing/__init__.py",
        "qpay_worker/wsgi_util.py",
    ],
    "sandbox": ["qpay_worker/sandbox.py"],
    "storage": ["scripts/s3-dev-server.js"],
    "development": [
        "scripts/devenv.py",
        "scripts/ready.py",
        "scripts/demo.py",
        "scripts/simulate_payment.py",
        "scripts/backup_check.py",
        "scripts/serve.py",
    ],
}
# Processes a production operator configures from .env.example.
ENV_EXAMPLE_PROCESSES = ("web", "seed", "worker", "sandbox", "storage")


def names_read(text: str) -> set[str]:
    found = set()
    for pattern in READ_PATTERNS:
        found.update(pattern.findall(text))
    return found - NOT_CONFIG


def names_read_by(process: str) -> set[str]:
    names = set()
    for rel in SOURCES[process]:
        names |= names_read((ROOT / rel).read_text())
    if process == "seed":
        from tattoo.site.management.commands.seed import DEFAULTS

        names |= set(DEFAULTS)
    if process == "development":
        # devenv's generated secrets are set in a loop over SECRET_NAMES.
        text = (ROOT / "scripts/devenv.py").read_text()
        names |= set(re.findall(r'"([A-Z][A-Z0-9_]*)"', re.search(r"SECRET_NAMES = \(([^)]*)\)", text).group(1)))
    return names


def doc_tables() -> dict[str, dict[str, list[str]]]:
    """{process: {VARIABLE: [example, required, secret, what]}} from §6 of docs/deploy.md."""
    checklist = DOC.read_text().split("## 6. Environment checklist", 1)[1]
    tables = {}
    for section in re.split(r"^### ", checklist, flags=re.M)[1:]:
        process = section.split()[0]
        rows = {}
        for line in section.splitlines():
            m = re.match(r"^\| `([A-Z][A-Z0-9_]*)` \|(.*)\|\s*$", line)
            if m:
                assert m.group(1) not in rows, f"{m.group(1)} twice in the {process} table"
                rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
        tables[process] = rows
    return tables


def env_example_names() -> set[str]:
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), flags=re.M))


def test_the_extractor_understands_every_way_the_code_reads_the_environment():
    sample = """
        env("A1", "x"); envbool("A2", False); envint("A3", 1); envlist("A4"); envsecret("A5", "d")
        envfloat("A18", 1.0); envurl("A19", "http://x")
        _required("A6"); _float("A7", 1.0); setting("A8"); os.environ.get("A9", ""); os.environ["A10"]
        env.get('A11'); env.setdefault("A12", "v"); env["A13"]; os.getenv("A14"); environ.get("WSGI_KEY")
        const env = process.env; env.A15 || 'x'; process.env.A16; env . lower_case; os.environ.get(
            "A17", "multi-line")
    """
    assert names_read(sample) == {f"A{i}" for i in range(1, 20)}
    assert names_read('os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x"); env["PATH"]') == set()


@pytest.mark.parametrize("rel", sorted({rel for rels in SOURCES.values() for rel in rels}))
def test_no_source_reads_a_variable_whose_name_is_built_at_run_time(rel):
    dynamic = DYNAMIC_READ.findall((ROOT / rel).read_text())
    assert len(dynamic) == ALLOWED_DYNAMIC.get(rel, 0), (rel, dynamic)


def test_the_doc_has_a_table_for_each_process():
    assert set(doc_tables()) == set(SOURCES)


@pytest.mark.parametrize("process", list(SOURCES))
def test_each_process_table_lists_exactly_the_variables_that_process_reads(process):
    documented = set(doc_tables()[process])
    read = names_read_by(process)
    assert not read - documented, f"read by {process} but missing from its table in docs/deploy.md"
    assert not documented - read, f"in the {process} table of docs/deploy.md but never read by {process}"


@pytest.mark.parametrize("process", list(SOURCES))
def test_every_row_says_what_example_required_and_secret(process):
    for name, cells in doc_tables()[process].items():
        assert len(cells) == 4, (name, cells)
        example, required, secret, what = cells
        assert example, name
        assert what, name
        assert required.startswith(("yes", "no", "with")), (name, required)
        assert secret.startswith(("yes", "no")), (name, secret)


def test_secrets_read_through_the_secret_helpers_are_marked_secret_and_required():
    settings_text = (ROOT / "tattoo/settings.py").read_text()
    config_text = (ROOT / "qpay_worker/config.py").read_text()
    tables = doc_tables()
    web_secrets = set(re.findall(r'\benvsecret\(\s*"([A-Z][A-Z0-9_]*)"', settings_text))
    worker_required = set(re.findall(r'\b_required\(\s*"([A-Z][A-Z0-9_]*)"', config_text))
    assert {"SECRET_KEY", "JWT_SIGNING_KEY", "WEB_TO_WORKER_SECRET", "WORKER_TO_WEB_SECRET"} <= web_secrets
    for name in web_secrets:
        assert tables["web"][name][1:3] == ["yes", "yes"], name
    for name in worker_required:
        assert tables["worker"][name][1] == "yes", name
    for name in (
        "QPAY_CLIENT_ID",
        "QPAY_CLIENT_SECRET",
        "WEB_TO_WORKER_SECRET",
        "WORKER_TO_WEB_SECRET",
        "QPAY_CALLBACK_SECRET",
    ):
        assert tables["worker"][name][2] == "yes", name
    assert tables["web"]["DATABASE_URL"][1:3] == ["yes", "yes"]


def test_env_example_lists_every_variable_a_deployed_or_stand_in_process_reads():
    listed = env_example_names()
    for process in ENV_EXAMPLE_PROCESSES:
        missing = names_read_by(process) - listed
        assert not missing, f".env.example lacks what {process} reads: {sorted(missing)}"


def test_env_example_lists_nothing_that_is_never_read():
    read = set().union(*(names_read_by(p) for p in SOURCES))
    assert not env_example_names() - read


def test_the_worker_container_pins_match_requirements():
    pins = dict(re.findall(r"^([a-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), flags=re.M))
    recipe = DOC.read_text().split("```dockerfile", 1)[1].split("```", 1)[0]
    pinned = dict(re.findall(r"\b([a-z0-9_.-]+)==(\S+)", recipe))
    assert set(pinned) == {"requests", "gunicorn"}
    for package, version in pinned.items():
        assert pins[package] == version, package


def test_the_documented_callback_path_is_the_one_the_worker_mints():
    from qpay_worker.app import WEBHOOK_RE

    text = DOC.read_text()
    assert "{WORKER_PUBLIC_URL}/worker/qpay/webhook/T{transaction id}/{token}" in text
    assert WEBHOOK_RE.match("/worker/qpay/webhook/T42/abcdef")
    assert 'f"{self.config.public_url}/worker/qpay/webhook/{ref}/{token}"' in (ROOT / "qpay_worker/app.py").read_text()
