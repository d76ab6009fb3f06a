"""Writes every app shares (HackSoft Django-Styleguide's `common/services.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Final, TypeVar

from django.db import models

from tattoo.core.models import TimeStampedModel

M = TypeVar("M", bound=models.Model)


class Unset(Enum):
    """A write's "argument not given: leave it as it is", where None or "" may be a value the caller
    gives (a photo removed): `description: str | Unset = UNSET`, then `if description is not UNSET:`
    narrows it to `str`, which a bare `object()` sentinel does not (docs/types.md)."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET


def model_update(*, instance: M, fields: Iterable[str], data: Mapping[str, object]) -> tuple[M, bool]:
    """Set the `fields` that `data` holds a different value for, validate them and save only them
    (with a TimeStampedModel's `updated_at`); nothing is saved when nothing differs. Returns the
    instance and whether it was saved. Keys of `data` outside `fields` are ignored; a name in
    `fields` that is not a writable column is a TypeError.

    The validation is `full_clean` over the written fields only (their validators, the model's
    `clean()`, the unique and check constraints over them): the other columns were checked when
    they were written. Its refusal is Django's ValidationError: callers check their input first and
    refuse it in their own words, so this is the model's last word, not the user's message.
    """
    writable = {field.name for field in instance._meta.concrete_fields if not field.primary_key and not field.generated}
    names = list(fields)
    unknown = [name for name in names if name not in writable]
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no writable field {', '.join(map(repr, unknown))}")
    changed = [name for name in names if name in data and getattr(instance, name) != data[name]]
    if not changed:
        return instance, False
    for name in changed:
        setattr(instance, name, data[name])
    instance.full_clean(exclude=[field.name for field in instance._meta.fields if field.name not in changed])
    if isinstance(instance, TimeStampedModel) and "updated_at" not in changed:
        changed.append("updated_at")  # its auto_now sets it as the row is saved
    instance.save(update_fields=changed)
    return instance, True
