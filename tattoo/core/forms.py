"""Shared helpers for page forms.

Pages validate the shape of input with a Django form, then call the same service as the API;
the service's ApplicationError is shown next to the matching field with `add_application_error`.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms

from tattoo.core.errors import ApplicationError


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class PageForm(forms.Form):
    """Base for page forms: no trailing colon on labels (the templates render labels themselves)."""

    # Any: whatever django.forms.Form takes, passed on unchanged
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_application_error(form: forms.Form, exc: ApplicationError, field_map: dict[str, str] | None = None) -> None:
    """Put a service's error on the form: `fields` keys (camelCase) on their form field, the rest on top.

    `field_map` maps an API field name to a differently named form field.
    """
    placed = False
    for key, messages in exc.fields.items():
        name = (field_map or {}).get(key) or _snake(key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
        placed = placed or target is not None
    if not placed:
        form.add_error(None, exc.message)
