"""Inkbook's template filters and tags: `{% load inkbook %}` (docs/i18n.md, "Pages, mails and scripts").

Every one is a helper of tattoo/core/l10n.py (CLDR through Babel) in the page's language:

- `{{ amount|mnt }}` → "50,000 ₮"; `{{ value|number }}` → "1,234".
- `{{ moment|local_day:zone }}` → "2026 оны 12-р сарын 1, мягмар гараг" / "Tuesday, 1 December 2026";
  `|local_date:zone`, `|local_short_date:zone`, `|local_time:zone` ("14:30"), `|local_datetime:zone`
  ("2026.12.01 14:30" / "1 Dec 2026, 14:30"), `|local_when:zone` (weekday date and time, no zone):
  the moment on `zone`'s clock (an IANA name; a session's zone is its artist's).
- `{{ zone|zone_name }}` → "Улаанбаатарын цагаар" / "Ulaanbaatar time"; `{{ zone|zone_label }}` →
  "Улаанбаатар (Улаанбаатарын цаг)".
- `{% when start zone %}` / `{% when start zone end=end %}`: a session's time as a `<time>` element
  with the zone named after it; static/js/app.js adds the visitor's own time beside it when the
  browser's clock reads differently.
- `{% languages_in_their_own_words %}`: the switcher's choices, each named in its own language.

And the images: `image`: every `<img>` of an attached image (srcset/sizes, width/height, lazy;
docs/images.md); `image_url`: its full-size URL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.html import format_html

from tattoo.core import images, l10n

register = template.Library()


@register.filter(is_safe=True)
def mnt(amount: Decimal | int | str | None) -> str:
    """`{{ booking.deposit_amount|mnt }}` → "50,000 ₮"; nothing for None or "". A text that is not
    an amount is shown as it is: a mail's context may hand over an amount already written."""
    try:
        return l10n.money(amount)
    except ValueError:
        return str(amount)


@register.filter(is_safe=True)
def number(value: int | Decimal | float | str) -> str:
    try:
        return l10n.number(value)
    except (ValueError, ArithmeticError):
        return str(value)


@register.filter(is_safe=True)
def percent(share: float | Decimal | str | None) -> str:
    """`{{ row.review_rate|percent }}` → "88%"; nothing for None."""
    if share is None or share == "":
        return ""
    return l10n.percent(Decimal(share) if isinstance(share, str) else share)


# A zone reaches a template as an IANA name or a ZoneInfo (a session's artist's): filters take its text.
def _moment_filter(helper: Callable[[datetime, str], str]) -> Callable[[datetime | None, object], str]:
    def apply(moment: datetime | None, zone: object) -> str:
        if not moment or not zone:
            return ""
        return helper(moment, str(zone))

    apply.__name__ = helper.__name__
    return apply


register.filter("local_day", _moment_filter(l10n.day), is_safe=True)
register.filter("local_date", _moment_filter(l10n.date), is_safe=True)
register.filter("local_short_date", _moment_filter(l10n.short_date), is_safe=True)
register.filter("local_time", _moment_filter(l10n.time), is_safe=True)
register.filter("local_datetime", _moment_filter(l10n.short_datetime), is_safe=True)


@register.filter(is_safe=True)
def local_when(moment: datetime | None, zone: object) -> str:
    """A session's date, weekday and time without the zone (a table or list that names it once)."""
    return l10n.when(moment, str(zone), with_zone=False) if moment and zone else ""


@register.filter(is_safe=True)
def zone_name(zone: object) -> str:
    return l10n.zone_name(str(zone)) if zone else ""


@register.filter(is_safe=True)
def zone_label(zone: object) -> str:
    return l10n.zone_label(str(zone)) if zone else ""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.simple_tag
def when(start: datetime | None, zone: object, end: datetime | None = None, testid: str = "") -> str:
    """A session's time, the zone named after it: `<time datetime="…Z" data-zone="Asia/Ulaanbaatar">
    2026 оны 12-р сарын 1, мягмар гараг 14:30 – 16:30</time> (Улаанбаатарын цагаар)`."""
    if not start or not zone:
        return ""
    text = l10n.when(start, str(zone), end=end, with_zone=False)
    return format_html(
        '<time datetime="{}" data-zone="{}"{}{}>{}</time> <span class="zone-name">({})</span>',
        _iso(start),
        zone,
        format_html(' data-end="{}"', _iso(end)) if end else "",
        format_html(' data-testid="{}"', testid) if testid else "",
        text,
        l10n.zone_name(str(zone)),
    )


@register.simple_tag
def languages_in_their_own_words() -> list[tuple[str, str]]:
    """settings.LANGUAGES as written there ("Монгол", "English"): Django's get_available_languages
    would translate the names into the page's language ("Англи" on a Mongolian page)."""
    return list(settings.LANGUAGES)


@register.simple_tag
def image(
    obj: object, kind: str, *, field: str = "image", sizes: str = "100vw", alt: str = "", css_class: str = ""
) -> str:
    """One `<img>` of an attached image, for every page: ``{% image item "portfolio" sizes="(min-width:
    40rem) 15rem, 100vw" alt=item.description css_class="card__image" %}``; nothing without an image.

    `obj` carries ``{field}_key``, ``_width``, ``_height`` and ``_variants`` (a model with
    tattoo.core.models.ImageFields, or a row annotated with another table's image under a prefix,
    with ``field="cover"``: search.selectors' cards); `kind` is its image kind (private kinds get
    signed URLs). Writes `srcset` from the WebP variants made so far plus the image itself at its
    own width, `sizes`, the image's `width`/`height` (so the page reserves its box before it
    loads) and ``loading="lazy"``. `sizes` says how wide the image is drawn: the browser picks the smallest
    candidate that covers it at the screen's pixel density. Built with format_html rather than a
    sub-template rendered per image: a gallery draws one per item (an artist page: every item).
    """
    key = getattr(obj, f"{field}_key", "") or ""
    if not key:
        return ""
    width, height = getattr(obj, f"{field}_width", None), getattr(obj, f"{field}_height", None)
    variants = images.thumbnails(kind, key, getattr(obj, f"{field}_variants", None) or ())
    # A public image's URL is the one its row stores; a private one's is signed here.
    full = (None if images.kind_named(kind).private else getattr(obj, f"{field}_url", None)) or images.url_for(
        kind, key
    )
    candidates = [f"{url} {w}w" for w, url in variants.items()]
    if candidates and width:
        candidates.append(f"{full} {width}w")
    src = variants.get("640") or next(iter(variants.values()), None) or full
    if not src:
        return ""
    return format_html(
        '<img{} src="{}"{}{} loading="lazy" decoding="async" alt="{}">',
        format_html(' class="{}"', css_class) if css_class else "",
        src,
        format_html(' srcset="{}" sizes="{}"', ", ".join(candidates), sizes) if candidates else "",
        format_html(' width="{}" height="{}"', width, height) if width and height else "",
        alt,
    )


@register.simple_tag
def image_url(obj: object, kind: str, field: str = "image") -> str:
    """The full-size URL of an attached image (signed for a private kind), e.g. for a link to it."""
    return images.url_for(kind, getattr(obj, f"{field}_key", "") or "") or ""
