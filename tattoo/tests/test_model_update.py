"""tattoo.core.services.model_update: the one field updater, against PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tattoo.core.models import CacheVersion, PendingObjectDeletion
from tattoo.core.services import model_update

pytestmark = pytest.mark.django_db

CREATED = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)  # the night Europe's clocks go forward
LATER = datetime(2025, 3, 30, 1, 30, tzinfo=UTC)


@pytest.fixture
def row() -> PendingObjectDeletion:
    with time_machine.travel(CREATED, tick=False):
        return PendingObjectDeletion.objects.create(key="reviews/1/a.webp", attempts=1, last_error="timeout")


def test_it_writes_the_changed_fields_and_says_so(row):
    updated, has_updated = model_update(
        instance=row, fields=["attempts", "last_error"], data={"attempts": 2, "last_error": "refused"}
    )

    assert (updated, has_updated) == (row, True)
    stored = PendingObjectDeletion.objects.get(pk=row.pk)
    assert (stored.attempts, stored.last_error) == (2, "refused")


def test_an_unchanged_value_writes_nothing(row, django_assert_num_queries):
    with django_assert_num_queries(0):
        updated, has_updated = model_update(
            instance=row, fields=["attempts", "last_error"], data={"attempts": 1, "last_error": "timeout"}
        )

    assert (updated, has_updated) == (row, False)
    assert PendingObjectDeletion.objects.get(pk=row.pk).updated_at == CREATED


def test_a_write_moves_updated_at_and_leaves_created_at(row):
    with time_machine.travel(LATER, tick=False):
        model_update(instance=row, fields=["attempts"], data={"attempts": 2})

    stored = PendingObjectDeletion.objects.get(pk=row.pk)
    assert (stored.created_at, stored.updated_at) == (CREATED, LATER)
    assert row.updated_at == LATER


def test_it_writes_only_the_changed_columns_and_updated_at(row):
    # Another writer's change to a column this update does not touch survives it.
    PendingObjectDeletion.objects.filter(pk=row.pk).update(last_error="written meanwhile")

    with CaptureQueriesContext(connection) as captured:
        model_update(instance=row, fields=["attempts", "last_error"], data={"attempts": 2, "last_error": "timeout"})

    [update] = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("UPDATE")]
    assert set(re.findall(r'"(\w+)" = ', update.split(" WHERE ")[0])) == {"attempts", "updated_at"}
    assert PendingObjectDeletion.objects.get(pk=row.pk).last_error == "written meanwhile"


def test_values_outside_the_fields_named_are_ignored(row):
    _, has_updated = model_update(instance=row, fields=["attempts"], data={"last_error": "refused"})

    assert has_updated is False
    assert PendingObjectDeletion.objects.get(pk=row.pk).last_error == "timeout"


@pytest.mark.parametrize("name", ["nope", "id", "pk"])
def test_a_field_the_model_cannot_write_is_refused(row, name):
    with pytest.raises(TypeError, match=f"PendingObjectDeletion has no writable field '{name}'"):
        model_update(instance=row, fields=["attempts", name], data={"attempts": 2, name: 1})

    assert PendingObjectDeletion.objects.get(pk=row.pk).attempts == 1


def test_the_written_fields_are_validated_before_anything_is_saved(row):
    PendingObjectDeletion.objects.create(key="reviews/1/b.webp")

    with pytest.raises(ValidationError) as refused:
        model_update(instance=row, fields=["key", "attempts"], data={"key": "reviews/1/b.webp", "attempts": 2})

    assert list(refused.value.message_dict) == ["key"]
    stored = PendingObjectDeletion.objects.get(pk=row.pk)
    assert (stored.key, stored.attempts) == ("reviews/1/a.webp", 1)


def test_a_column_it_does_not_write_is_not_validated(row):
    # "" is no valid key (the field is not blank=True), but this update does not write it.
    PendingObjectDeletion.objects.filter(pk=row.pk).update(key="")
    row.refresh_from_db()

    _, has_updated = model_update(instance=row, fields=["attempts"], data={"attempts": 2})

    assert has_updated is True
    assert PendingObjectDeletion.objects.get(pk=row.pk).attempts == 2


def test_a_model_without_timestamps_is_written_as_well():
    version = CacheVersion.objects.create(key="catalog", version=1)

    with CaptureQueriesContext(connection) as captured:
        _, has_updated = model_update(instance=version, fields=["version"], data={"version": 2})

    assert has_updated is True
    assert CacheVersion.objects.get(key="catalog").version == 2
    assert any(
        query["sql"].startswith('UPDATE "cache_versions" SET "version" = 2 WHERE')
        for query in captured.captured_queries
    )
