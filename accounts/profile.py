"""The artist's public profile (docs/search.md): its rules and its one writer.

`PATCH /api/tattooists/me`, the dashboard's profile form and (through the model's validators) the
admin all keep to the same rules: `profile_problems` says what is wrong with a set of values, per
API field name, and `tattooist_update_profile` refuses what it names before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import HEAL_DAYS, INSTAGRAM_HANDLE, BookingMode, District, SpokenLanguage, Tattooist
from tattoo.core import images
from tattoo.core.errors import ApplicationError
from tattoo.core.money import is_whole, quantize
from tattoo.core.services import UNSET, Unset, model_update

# The free-text fields and their longest text.
TEXT_LIMITS = {"studio_name": 120, "city": 80, "address": 300, "aftercare_text": 4000}
# What fits numeric(12, 2).
PRICE_MAX = Decimal("9999999999")
# Every profile field a caller may change (avatar_url goes through the bucket: see below).
PROFILE_FIELDS = (
    "studio_name",
    "city",
    "district",
    "address",
    "price_from",
    "hourly_rate",
    "languages",
    "instagram",
    "booking_mode",
    "heal_days",
    "aftercare_text",
)
AVATAR_FOLDER = "avatars"
_INSTAGRAM = re.compile(INSTAGRAM_HANDLE)


def api_name(field: str) -> str:
    """The camelCase name clients send (`price_from` -> `priceFrom`)."""
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


def normalize_instagram(value: str) -> str:
    """A handle as people paste it: surrounding spaces and one leading "@" are dropped."""
    value = (value or "").strip()
    return value[1:] if value.startswith("@") else value


def normalize_languages(values: Iterable[str]) -> list[str]:
    """Known codes once each, in SpokenLanguage's order (the unknown ones are profile_problems')."""
    chosen = set(values)
    return [code for code in SpokenLanguage.values if code in chosen]


def price_problem(value) -> str | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return _("Enter a whole MNT amount.")
    if not amount.is_finite() or amount < 0:
        return _("Ensure this value is greater than or equal to 0.")
    if amount > PRICE_MAX:
        return _("At most %(max)s.") % {"max": PRICE_MAX}
    return None if is_whole(amount) else _("Use a whole MNT amount.")


def profile_problems(values: dict) -> dict[str, str]:
    """What is wrong with `values`, per model field name; empty when all is well."""
    problems: dict[str, str] = {}
    for field, limit in TEXT_LIMITS.items():
        if field in values and len(values[field] or "") > limit:
            problems[field] = _("At most %(limit)s characters.") % {"limit": limit}
    if values.get("district", "") not in ("", *District.values):
        problems["district"] = _("One of: %(choices)s, or empty.") % {"choices": ", ".join(District.values)}
    for field in ("price_from", "hourly_rate"):
        if field in values and (problem := price_problem(values[field])):
            problems[field] = problem
    if "languages" in values:
        unknown = [code for code in values["languages"] or () if code not in SpokenLanguage.values]
        if unknown or values["languages"] is None:
            problems["languages"] = _("Choose from: %(choices)s.") % {"choices": ", ".join(SpokenLanguage.values)}
    if values.get("instagram") and not _INSTAGRAM.fullmatch(values["instagram"]):
        problems["instagram"] = _("A handle: letters, digits, dots and underscores, at most 30.")
    if "booking_mode" in values and values["booking_mode"] not in BookingMode.values:
        problems["booking_mode"] = _("One of: %(choices)s.") % {"choices": ", ".join(BookingMode.values)}
    if "heal_days" in values:
        days = values["heal_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not HEAL_DAYS[0] <= days <= HEAL_DAYS[1]:
            problems["heal_days"] = _("From %(min)s to %(max)s days.") % {"min": HEAL_DAYS[0], "max": HEAL_DAYS[1]}
    return problems


def _clean(values: dict) -> dict:
    values = dict(values)
    for field in TEXT_LIMITS:
        if field in values:
            values[field] = (values[field] or "").strip()
    if "instagram" in values:
        values["instagram"] = normalize_instagram(values["instagram"])
    for field in ("price_from", "hourly_rate"):
        if values.get(field) is not None and price_problem(values[field]) is None:
            values[field] = quantize(Decimal(values[field]))
    return values


def tattooist_update_profile(
    *,
    tattooist: Tattooist,
    avatar_url: str | Unset | None = UNSET,
    and_then: Callable[[Tattooist], object] | None = None,
    **values,
) -> Tattooist:
    """Change the artist's public profile: any of PROFILE_FIELDS, and the avatar.

    400 (per field) for anything profile_problems names, before anything is written. `avatar_url`
    is the `publicUrl` of an upload to the `avatars` folder: it is checked, re-encoded without its
    metadata and stored at the key the profile keeps (tattoo.core.images.attach_image, bucket calls
    outside any transaction), its WebP variants made by a job; "" or
    None removes the avatar. A replaced or removed avatar's object is deleted once the change
    commits. `and_then(tattooist)` runs inside the same transaction (the settings of the same
    PATCH), so a request changes everything or nothing.
    """
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    values = _clean(values)
    problems = profile_problems(values)
    if problems:
        raise ApplicationError(
            _("This profile cannot be saved."),
            code="invalid",
            fields={api_name(field): [message] for field, message in problems.items()},
        )
    if "languages" in values:
        values["languages"] = normalize_languages(values["languages"])
    if avatar_url is UNSET or avatar_url == tattooist.avatar_url:
        return _write(tattooist, values, UNSET, and_then)
    if not avatar_url:
        return _write(tattooist, values, None, and_then)
    with images.attach_image(
        kind=AVATAR_FOLDER,
        image_url=avatar_url,
        user=tattooist.user,
        in_use=lambda key: Tattooist.objects.filter(avatar_key=key).exists(),
        field="avatarUrl",
    ) as attached:
        return _write(tattooist, values, attached, and_then)


def _write(tattooist: Tattooist, values: dict, avatar, and_then) -> Tattooist:
    """`avatar`: UNSET (unchanged), None (removed) or the sanitised copy (images.AttachedImage)."""
    with transaction.atomic():
        data = dict(values)
        if avatar is not UNSET:
            image = images.image_fields(avatar, field="avatar")
            # The row lock makes "which object did this replace" exact under concurrent changes,
            # and model_update compares the image columns with the stored ones, not a stale copy.
            tattooist.refresh_from_db(fields=list(image), from_queryset=Tattooist.objects.select_for_update())
            old_key = tattooist.avatar_key
            data |= image
            if old_key and old_key != data["avatar_key"]:
                images.image_delete_later(old_key)
        model_update(instance=tattooist, fields=list(data), data=data)
        if avatar:
            images.image_enqueue_variants(kind=AVATAR_FOLDER, pk=tattooist.pk, key=tattooist.avatar_key)
        if and_then is not None:
            and_then(tattooist)
    return tattooist
