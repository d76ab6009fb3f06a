"""Portfolio writes. The image lives in the public bucket (tattoo.core.images); the row points at its key."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Tattooist, User
from portfolio.models import PortfolioItem
from tattoo.core import images
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError
from tattoo.core.services import UNSET, Unset

# Tags: lower case, trimmed, inner whitespace folded to one space, duplicates dropped (first
# wins), empty ones ignored; at most MAX_TAGS of at most MAX_TAG_LENGTH characters (the column is
# varchar(32)). Letters of any script, digits, space, '-', '_', '&', '+' and "'" only.
MAX_TAGS = 10
MAX_TAG_LENGTH = 32
_TAG_CHARS = re.compile(r"^[\w \-&+']+$")


def normalize_tags(raw: Sequence[str]) -> list[str]:
    tags: list[str] = []
    for value in raw:
        tag = " ".join(str(value).split()).lower()
        if not tag or tag in tags:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ApplicationError(
                _("A tag is too long."),
                fields={
                    "tags": [
                        _("Tags are at most %(max_tag_length)s characters: %(tag)r.")
                        % {"max_tag_length": MAX_TAG_LENGTH, "tag": tag[:40]}
                    ]
                },
            )
        if not _TAG_CHARS.fullmatch(tag):
            raise ApplicationError(
                _("A tag has characters that are not allowed."),
                fields={"tags": [_("Use letters, digits, spaces and - _ & + ' only.")]},
            )
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ApplicationError(
            _("Too many tags."), fields={"tags": [_("At most %(max_tags)s different tags.") % {"max_tags": MAX_TAGS}]}
        )
    return tags


def _profile_of(user: User) -> Tattooist:
    profile = Tattooist.objects.filter(user=user).first()
    if profile is None:
        raise NotAllowedError(_("Only tattooists with an artist profile have a portfolio."))
    return profile


def portfolio_item_create(
    *, user: User, image_url: str, description: str = "", tags: Sequence[str] = ()
) -> PortfolioItem:
    """Add an image the artist uploaded (presigned PUT) to their portfolio."""
    tattooist = _profile_of(user)
    clean_tags = normalize_tags(list(tags))
    try:
        with (
            images.attach_image(
                kind="portfolio",
                image_url=image_url,
                user=user,
                in_use=lambda key: PortfolioItem.objects.filter(image_key=key).exists(),
            ) as image,
            transaction.atomic(),
        ):
            item = PortfolioItem.objects.create(
                tattooist=tattooist, description=description, style_tags=clean_tags, **images.image_fields(image)
            )
            images.image_enqueue_variants(kind="portfolio", pk=item.pk, key=item.image_key)
            return item
    except IntegrityError as exc:
        # One object, one record: deleting one item must never pull the image from under another.
        if "portfolios_image_key_unique" not in str(exc):
            raise
        raise ConflictError(
            _("That image is already in your portfolio."),
            code="image_in_use",
            fields={"imageUrl": [_("Already used.")]},
        ) from None


def _require_owner(item: PortfolioItem, actor: User, *, admin_allowed: bool) -> None:
    if admin_allowed and actor.is_admin:
        return
    if item.tattooist.user_id != actor.pk:
        raise NotAllowedError(_("Only the artist who owns this portfolio item can change it."), code="not_owner")


def portfolio_item_update(
    *, item: PortfolioItem, actor: User, description: str | Unset = UNSET, tags: Sequence[str] | Unset = UNSET
) -> PortfolioItem:
    _require_owner(item, actor, admin_allowed=False)
    fields = ["updated_at"]
    if description is not UNSET:
        item.description = description
        fields.append("description")
    if tags is not UNSET:
        item.style_tags = normalize_tags(list(tags))
        fields.append("style_tags")
    item.save(update_fields=fields)
    return item


def portfolio_item_delete(*, item: PortfolioItem, actor: User) -> None:
    """Delete the record now; its object is removed after commit, or queued for retry."""
    _require_owner(item, actor, admin_allowed=True)
    with transaction.atomic():
        deleted, _rows = PortfolioItem.objects.filter(pk=item.pk).delete()
        if deleted:
            images.image_delete_later(item.image_key)
