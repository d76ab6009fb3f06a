"""Inkbook's template filters and tags: `{% load inkbook %}` (docs/i18n.md, "Pages, mails and scripts").

`mnt`: every amount a page or a mail shows, "50 000 ₮" in both languages (tattoo.core.money.format_mnt).
`languages_in_their_own_words`: the switcher's choices, each named in its own language.
"""

from __future__ import annotations

from django import template
from django.conf import settings

from tattoo.core.money import format_mnt

register = template.Library()


@register.filter(is_safe=True)
def mnt(amount) -> str:
    """`{{ booking.deposit_amount|mnt }}` → "50 000 ₮"; nothing for None or "". A text that is not
    an amount is shown as it is: a mail's context may hand over an amount already written by
    format_mnt."""
    try:
        return format_mnt(amount)
    except ValueError:
        return str(amount)


@register.simple_tag
def languages_in_their_own_words() -> list[tuple[str, str]]:
    """settings.LANGUAGES as written there ("Монгол", "English"): Django's get_available_languages
    would translate the names into the page's language ("Англи" on a Mongolian page)."""
    return list(settings.LANGUAGES)
