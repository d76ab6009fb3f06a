"""Inkbook's template filters: `{% load inkbook %}`.

`mnt`: every amount a page or a mail shows, "50 000 ₮" in both languages (tattoo.core.money.format_mnt,
docs/i18n.md "Formats").
"""

from __future__ import annotations

from django import template

from tattoo.core.money import format_mnt

register = template.Library()


@register.filter(is_safe=True)
def mnt(amount) -> str:
    """`{{ booking.deposit_amount|mnt }}` → "50 000 ₮"; an empty or unreadable value shows nothing."""
    try:
        return format_mnt(amount)
    except ValueError:
        return ""
