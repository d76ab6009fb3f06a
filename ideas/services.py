"""Tattoo idea writes. An idea is a description, an image from the presigned upload flow, or both.

Order of checks on every write (house style): unknown booking or idea → 404, not allowed → 403,
booking state → 409, bad input → 400. The bucket is only asked (HEAD, ranged GET) once the caller
is known to be allowed, and never inside a transaction.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.models import Booking, BookingStatus, status_word
from bookings.selectors import booking_is_party
from ideas.models import TattooIdea
from tattoo.core import images
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError
from tattoo.core.services import UNSET, Unset

MAX_DESCRIPTION = 4000
# Ideas stay readable and editable after completed/disputed (disputes rely on them); a booking
# that never happened takes no new ones.
CLOSED_STATUSES = (BookingStatus.CANCELLED, BookingStatus.EXPIRED)


def _require_some_content(description: str, image_key: str) -> None:
    if not description.strip() and not image_key:
        raise ApplicationError(
            _("An idea needs a description, an image, or both."),
            code="empty_idea",
            fields={"description": [_("Describe the idea or attach an image.")]},
        )


def idea_post_refusal(*, booking: Booking, user: User) -> ApplicationError | None:
    """Why `user` may not add an idea to `booking` now, or None (the booking page asks this too)."""
    if not booking_is_party(booking=booking, user=user):
        return NotAllowedError(_("Only the booking's customer and tattooist can add ideas."), code="not_a_party")
    if booking.status in CLOSED_STATUSES:
        return ConflictError(
            _("This booking is %(status)s; it takes no new ideas.") % {"status": status_word(booking.status)},
            code="booking_closed",
        )
    return None


def _require_open(booking: Booking, user: User) -> None:
    refusal = idea_post_refusal(booking=booking, user=user)
    if refusal is not None:
        raise refusal


def idea_create(*, user: User, booking_id: int, description: str = "", image_url: str | None = None) -> TattooIdea:
    """Add an idea to a booking: only its customer or its tattooist (staff read, they do not post)."""
    booking = Booking.objects.select_related("tattooist").filter(pk=booking_id).first()
    if booking is None:
        raise Http404
    _require_open(booking, user)
    description = description or ""
    _require_some_content(description, image_url or "")
    attach = (
        images.attach_image(
            kind="ideas",
            image_url=image_url,
            user=user,
            in_use=lambda key: TattooIdea.objects.filter(image_key=key).exists(),
        )
        if image_url
        else nullcontext(None)
    )
    try:
        with attach as image, transaction.atomic():
            # The row lock orders this insert against booking_move (which locks the same row), so
            # an idea never lands on a booking that was cancelled or expired meanwhile.
            locked = Booking.objects.select_for_update().select_related("tattooist").get(pk=booking.pk)
            _require_open(locked, user)
            idea = TattooIdea.objects.create(
                booking=booking, created_by=user, description=description, **images.image_fields(image)
            )
            if image is not None:
                images.image_enqueue_variants(kind="ideas", pk=idea.pk, key=idea.image_key)
            return idea
    except IntegrityError as exc:
        if "tattoo_ideas_image_key_unique" not in str(exc):
            raise
        raise ConflictError(
            _("That image is already attached to an idea."),
            code="image_in_use",
            fields={"imageUrl": [_("Already used.")]},
        ) from None


def idea_require_author_or_admin(idea: TattooIdea, actor: User, verb: str) -> None:
    if actor.is_admin:
        return
    if idea.created_by_id != actor.pk:
        refusal = (
            _("Only the idea's author or staff can delete it.")
            if verb == "delete"
            else _("Only the idea's author or staff can edit it.")
        )
        raise NotAllowedError(refusal, code="not_author")
    # A dispute is decided on what the parties shared: that record is frozen while it is open.
    if Booking.objects.filter(pk=idea.booking_id, status=BookingStatus.DISPUTED).exists():
        raise ConflictError(
            _("The booking is under dispute; its ideas cannot be changed until staff resolve it."),
            code="booking_disputed",
        )


def idea_update(*, idea: TattooIdea, actor: User, description: str | Unset = UNSET) -> TattooIdea:
    idea_require_author_or_admin(idea, actor, "edit")
    if description is UNSET:
        return idea
    _require_some_content(description, idea.image_key)
    idea.description = description
    idea.save(update_fields=["description", "updated_at"])
    return idea


def idea_delete(*, idea: TattooIdea, actor: User) -> None:
    """Delete the idea now; its image is removed from the bucket after commit (or queued for retry)."""
    idea_require_author_or_admin(idea, actor, "delete")
    with transaction.atomic():
        deleted, _rows = TattooIdea.objects.filter(pk=idea.pk).delete()
        if deleted and idea.image_key:
            images.image_delete_later(idea.image_key)
