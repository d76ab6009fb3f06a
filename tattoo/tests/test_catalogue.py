"""The Mongolian catalogue is complete (docs/i18n.md, "Catalogues").

`makemessages` runs over a temporary copy of the product's sources (the repository's locale/ is
never touched) for the `django` and `djangojs` domains; every msgid it finds must be in the
committed catalogue, translated, not fuzzy and not the English copied (except the few words in
SAME_IN_BOTH). A new `_("...")` without its Mongolian fails here, by name.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
COMMITTED = ROOT / "locale" / "mn" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
# What is not the product's text: tooling, data, tests (the Makefile's MESSAGES_IGNORE says the same).
NOT_PRODUCT = {
    ".git", ".venv", ".venv-bench", ".venv-peer", "node_modules", "bench", ".data", "staticfiles",
    "test-artifacts", "locale", "__pycache__", ".pytest_cache", ".hypothesis", ".import_linter_cache",
    "tests", "testing", "docs",
}  # fmt: skip
# msgids whose Mongolian is the same word (names); keep it tiny.
SAME_IN_BOTH = {"QPay", "Inkbook", "CSV"}


def extract(source: Path, workdir: Path, *, extra_files: dict[str, str] | None = None) -> dict[str, polib.POFile]:
    """The catalogues `makemessages` writes for a copy of `source` (plus `extra_files`)."""
    copy = workdir / "src"
    shutil.copytree(source, copy, ignore=lambda _dir, names: [n for n in names if n in NOT_PRODUCT])
    for relative, text in (extra_files or {}).items():
        (copy / relative).parent.mkdir(parents=True, exist_ok=True)
        (copy / relative).write_text(text, encoding="utf-8")
    out = copy / "locale"
    (out / "mn" / "LC_MESSAGES").mkdir(parents=True)
    with override_settings(LOCALE_PATHS=[out]), contextlib.chdir(copy):
        for domain in DOMAINS:
            call_command("makemessages", locale=["mn"], domain=domain, no_location=True, no_obsolete=True, verbosity=0)
    found = {}
    for domain in DOMAINS:
        path = out / "mn" / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            found[domain] = polib.pofile(str(path))
    return found


def _translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def problems(fresh: dict[str, polib.POFile], committed_dir: Path = COMMITTED) -> list[str]:
    """One line per msgid of `fresh` that the committed catalogue lacks or leaves unfinished."""
    out = []
    for domain, catalogue in fresh.items():
        path = committed_dir / f"{domain}.po"
        committed = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path))} if path.exists() else {}
        for entry in catalogue:
            if entry.obsolete:
                continue
            have = committed.get((entry.msgctxt, entry.msgid))
            if have is None or have.obsolete:
                out.append(f"{domain}: missing from {path.name}: {entry.msgid!r}")
            elif "fuzzy" in have.flags:
                out.append(f"{domain}: fuzzy: {entry.msgid!r}")
            elif not _translated(have):
                out.append(f"{domain}: untranslated: {entry.msgid!r}")
            elif have.msgstr == have.msgid and have.msgid not in SAME_IN_BOTH:
                out.append(f"{domain}: the English copied, not translated: {entry.msgid!r}")
    return out


def test_every_product_string_has_its_mongolian(tmp_path):
    fresh = extract(ROOT, tmp_path)
    assert "django" in fresh
    assert len(fresh["django"]) > 100  # the extraction really ran
    found = problems(fresh)
    assert not found, "the Mongolian catalogue is not complete (docs/i18n.md, Catalogues):\n" + "\n".join(found)


def test_a_new_marked_string_without_its_mongolian_fails(tmp_path):
    new = "A sentence someone marked and nobody translated yet."
    module = f"from django.utils.translation import gettext as _\n\n\ndef say():\n    return _({new!r})\n"
    script = f"gettext({new!r} + ' (script)');\n"
    fresh = extract(ROOT, tmp_path, extra_files={"tattoo/core/new_text.py": module, "static/js/new_text.js": script})
    found = problems(fresh)
    assert f"django: missing from django.po: {new!r}" in found
    assert f"djangojs: missing from djangojs.po: {new + ' (script)'!r}" in found


def test_an_untranslated_fuzzy_or_copied_entry_fails(tmp_path):
    committed = tmp_path / "committed"
    committed.mkdir()
    catalogue = polib.POFile()
    catalogue.append(polib.POEntry(msgid="Empty", msgstr=""))
    catalogue.append(polib.POEntry(msgid="Guessed", msgstr="Таамаг", flags=["fuzzy"]))
    catalogue.append(polib.POEntry(msgid="Copied", msgstr="Copied"))
    catalogue.append(polib.POEntry(msgid="QPay", msgstr="QPay"))
    catalogue.append(polib.POEntry(msgid="Done", msgstr="Болсон"))
    catalogue.save(str(committed / "django.po"))
    fresh = polib.POFile()
    for msgid in ("Empty", "Guessed", "Copied", "QPay", "Done"):
        fresh.append(polib.POEntry(msgid=msgid, msgstr=""))
    assert problems({"django": fresh}, committed) == [
        "django: untranslated: 'Empty'",
        "django: fuzzy: 'Guessed'",
        "django: the English copied, not translated: 'Copied'",
    ]


def test_the_committed_catalogues_compile_with_their_placeholders_intact(tmp_path):
    for path in sorted(COMMITTED.glob("*.po")):
        result = subprocess.run(
            ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{path.name}: {result.stderr}"
        catalogue = polib.pofile(str(path))
        assert not catalogue.metadata_is_fuzzy, f"{path.name}: the header is fuzzy (msgfmt would drop it)"
        assert catalogue.metadata.get("Language") == "mn"
