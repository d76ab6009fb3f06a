"""Inkbook's template filters and tags: `{% load inkbook %}` (docs/i18n.md, "Pages, mails and scripts").

`mnt`: every amount a page or a mail shows, "50 000 ₮" in both languages (tattoo.core.money.format_mnt).
`languages_in_their_own_words`: the switcher's choices, each named in its own language.
`image`: every `<img>` of an attached image (srcset/sizes, width/height, lazy; docs/images.md);
`image_url`: its full-size URL.
"""

from __future__ import annotations

from django import template
from django.conf import settings

from tattoo.core import images
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


@register.inclusion_tag("includes/image.html")
def image(obj, kind: str, *, field: str = "image", sizes: str = "100vw", alt: str = "", css_class: str = "") -> dict:
    """One `<img>` of an attached image, for every page: ``{% image item "portfolio" sizes="(min-width:
    40rem) 15rem, 100vw" alt=item.description css_class="card__image" %}``.

    `obj` carries ``{field}_key``, ``_width``, ``_height`` and ``_variants`` (a model with
    tattoo.core.models.ImageFields, or a row annotated by images.newest_image_annotations with
    ``field="cover"``); `kind` is its image kind (private kinds get signed URLs). Writes `srcset`
    from the WebP variants made so far plus the image itself at its own width, `sizes`, the
    image's `width`/`height` (so the page reserves its box before it loads) and
    ``loading="lazy"``. `sizes` says how wide the image is drawn: the browser picks the smallest
    candidate that covers it at the screen's pixel density.
    """
    key = getattr(obj, f"{field}_key", "") or ""
    if not key:
        return {"src": None}
    width, height = getattr(obj, f"{field}_width", None), getattr(obj, f"{field}_height", None)
    variants = images.thumbnails(kind, key, getattr(obj, f"{field}_variants", None) or ())
    # A public image's URL is the one its row stores; a private one's is signed here.
    full = (None if images.kind_named(kind).private else getattr(obj, f"{field}_url", None)) or images.url_for(
        kind, key
    )
    candidates = [f"{url} {w}w" for w, url in variants.items()]
    if candidates and width:
        candidates.append(f"{full} {width}w")
    return {
        "src": variants.get("640") or next(iter(variants.values()), None) or full,
        "srcset": ", ".join(candidates),
        "sizes": sizes,
        "width": width,
        "height": height,
        "alt": alt,
        "css_class": css_class,
    }


@register.simple_tag
def image_url(obj, kind: str, field: str = "image") -> str:
    """The full-size URL of an attached image (signed for a private kind), e.g. for a link to it."""
    return images.url_for(kind, getattr(obj, f"{field}_key", "") or "") or ""
