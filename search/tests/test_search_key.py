"""The transliteration table of docs/search.md is what inkbook_search_key does (search/migrations):
each row is read from the document and checked against the database function."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "search.md"


def key(value: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inkbook_search_key(%s)", [value])
        return cursor.fetchone()[0]


def rows(header: str) -> list[list[str]]:
    """The body rows of the markdown table whose header row starts with `header`."""
    text = DOC.read_text()
    table = text[text.index(header) :].split("\n\n", 1)[0].splitlines()[2:]
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table]


LETTERS = rows("| Cyrillic | MNS 5217:2012 | informal spellings | key |")
NAMES = rows("| written | key |")


def test_the_document_has_every_letter_of_the_mongolian_alphabet():
    letters = {row[0].split()[0] for row in LETTERS}
    assert letters == set("АБВГДЕЁЖЗИЙКЛМНОӨПРСТУҮФХЦЧШЩЪЫЬЭЮЯ")
    assert len(NAMES) >= 10


@pytest.mark.parametrize("row", LETTERS, ids=[row[0] for row in LETTERS])
def test_each_letter_its_mns_spelling_and_its_informal_ones_share_one_key(row):
    cyrillic, mns, informal, expected = row
    for written in [*cyrillic.split(), mns, *re.split(r",\s*", informal)]:
        assert key(written) == expected, written


@pytest.mark.parametrize("row", NAMES, ids=[row[1] for row in NAMES])
def test_each_spelling_of_a_name_has_the_same_key(row):
    spellings, expected = row
    for written in re.split(r",\s*", spellings):
        assert key(written) == expected, written


def test_the_query_asks_every_word_as_a_prefix_and_nothing_for_no_word():
    with connection.cursor() as cursor:
        cursor.execute("SELECT inkbook_search_query(%s)::text, inkbook_search_query(%s)", ["Сараа  Bold!", "%_ ."])
        assert cursor.fetchone() == ("'sara':* & 'buld':*", None)
