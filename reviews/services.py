"""Writes of reviews: the customer's review and its edits and healed photo, the artist's one reply,
staff's hide (and show again), each keeping the artist's rating exact.

The artist's `rating_count` and `rating_sum` count the published (not hidden) reviews; every write
that changes what they count changes them in its own transaction with one UPDATE of F()
expressions (PostgreSQL adds to the committed values under the artist's row lock it takes), while
the review's own row is locked (the booking's for a new review), so the delta is computed on the
review's current state: racing reviews and hides never lose a count (reviews/tests/test_rating_race.py).
`rating_average` is derived from the two by the database. Nothing here lets anyone keep a review
out by its rating: staff hide one only with a reason, audited (ReviewModeration), and nobody else
can hide, delete or filter reviews (docs/api.md, "After the session").
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tattooist, User
from bookings.models import Booking, BookingStatus
from bookings.selectors import booking_get_for
from reviews.models import RATING_MAX, RATING_MIN, TEXT_MAX, ModerationAction, Review, ReviewModeration
from tattoo.core import images
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError
from tattoo.core.services import UNSET, Unset, model_update

logger = logging.getLogger("inkbook.reviews")

KIND = "reviews"  # the healed photo's image kind and upload folder


def healed_photo_from(booking: Booking) -> datetime:
    """When a healed photo may be added (and is asked for by mail): HEALED_PHOTO_DAYS after the session."""
    return booking.slot + timedelta(days=settings.HEALED_PHOTO_DAYS)


def _rating_move(*, tattooist_id: int, count: int, total: int) -> None:
    if count or total:
        Tattooist.objects.filter(pk=tattooist_id).update(
            rating_count=F("rating_count") + count, rating_sum=F("rating_sum") + total
        )


def _rating_problem(rating: object) -> dict[str, list[str]] | None:
    if isinstance(rating, bool) or not isinstance(rating, int) or not RATING_MIN <= rating <= RATING_MAX:
        return {"rating": [_("Give 1 to 5 stars.")]}
    return None


def _text_problem(text: str, field: str) -> dict[str, list[str]] | None:
    if len(text) > TEXT_MAX:
        return {field: [_("At most %(count)s characters.") % {"count": TEXT_MAX}]}
    return None


def _invalid(fields: dict[str, list[str]]) -> ApplicationError:
    return ApplicationError(_("The review cannot be saved."), code="invalid", fields=fields)


# --- the customer's review --------------------------------------------------------------------------


def review_create_refusal(*, booking: Booking, user: User) -> ApplicationError | None:
    """Why `user` may not review `booking` now, or None (the booking page asks it for its form)."""
    if booking.customer_id != user.pk:
        return NotAllowedError(_("Only the booking's customer can review it."), code="not_customer")
    if booking.status != BookingStatus.COMPLETED:
        return ConflictError(_("A session can be reviewed once it is marked completed."), code="not_completed")
    if Review.objects.filter(booking_id=booking.pk).exists():
        return _already_reviewed()
    return None


def _already_reviewed() -> ConflictError:
    return ConflictError(_("You have already reviewed this session."), code="already_reviewed")


def review_create(*, booking_id: int, user: User, rating: int, text: str = "") -> Review:
    """The customer's review of a completed booking (POST /api/bookings/{id}/review), published at
    once. Unknown booking → 404; anyone but its customer → 403; rating not 1-5 → 400; not completed
    → 409 `not_completed`; again → 409 `already_reviewed` (under the booking's row lock)."""
    booking = booking_get_for(user=user, booking_id=booking_id)
    refusal = review_create_refusal(booking=booking, user=user)
    if isinstance(refusal, NotAllowedError):
        raise refusal
    text = text.strip()
    problems = _rating_problem(rating) or _text_problem(text, "text")
    if problems:
        raise _invalid(problems)
    try:
        with transaction.atomic():
            locked = Booking.objects.select_for_update().get(pk=booking.pk)
            refusal = review_create_refusal(booking=locked, user=user)
            if refusal is not None:
                raise refusal
            # The artist's row before the review's (whose save bumps the cache versions): every
            # writer here takes the artist, then the cache rows, so none waits on another in a cycle.
            _rating_move(tattooist_id=locked.tattooist_id, count=1, total=rating)
            review = Review.objects.create(
                booking=locked, tattooist_id=locked.tattooist_id, customer=user, rating=rating, text=text
            )
    except IntegrityError as exc:
        if "reviews_booking_id_key" not in str(exc):
            raise
        raise _already_reviewed() from None
    logger.info("review %s of booking %s created", review.pk, booking.pk)
    return review


def _review_for(review_id: int) -> Review:
    review = Review.objects.select_related("booking", "tattooist").filter(pk=review_id).first()
    if review is None:
        raise Http404
    return review


def review_update_refusal(*, review: Review, user: User) -> NotAllowedError | None:
    if review.customer_id != user.pk:
        return NotAllowedError(_("Only the review's author can change it."), code="not_author")
    return None


def review_update(
    *,
    review_id: int,
    user: User,
    rating: int | Unset = UNSET,
    text: str | Unset = UNSET,
    healed_photo_url: str | Unset | None = UNSET,
    now: datetime | None = None,
) -> Review:
    """The author edits the review (PATCH /api/reviews/{id}): the rating, the text, the healed
    photo. Anyone else → 403. A healed photo before HEALED_PHOTO_DAYS after the session → 409
    `too_early`; an empty `healed_photo_url` removes it. The photo is attached as every image is
    (a re-encoded copy without metadata, variants by a job: docs/images.md)."""
    review = _review_for(review_id)
    refusal = review_update_refusal(review=review, user=user)
    if refusal is not None:
        raise refusal
    problems: dict[str, list[str]] = {}
    if rating is not UNSET:
        problems |= _rating_problem(rating) or {}
    if text is not UNSET:
        text = text.strip()
        problems |= _text_problem(text, "text") or {}
    if problems:
        raise _invalid(problems)
    # the URL of a photo to attach; "" and None (remove it) and UNSET (leave it) attach none
    new_photo = healed_photo_url if isinstance(healed_photo_url, str) and healed_photo_url else None
    if new_photo and (now or timezone.now()) < healed_photo_from(review.booking):
        raise ConflictError(
            _("A healed photo can be added %(days)s days after the session.") % {"days": settings.HEALED_PHOTO_DAYS},
            code="too_early",
            fields={"healedPhotoUrl": [_("Come back once the tattoo has healed.")]},
        )
    attach = (
        images.attach_image(
            kind=KIND,
            image_url=new_photo,
            user=user,
            in_use=lambda key: Review.objects.filter(image_key=key).exists(),
            field="healedPhotoUrl",
        )
        if new_photo
        else contextlib.nullcontext()
    )
    with attach as image, transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        data: dict[str, object] = {}
        if rating is not UNSET and rating != locked.rating:
            if not locked.is_hidden:
                _rating_move(tattooist_id=locked.tattooist_id, count=0, total=rating - locked.rating)
            data["rating"] = rating
        if text is not UNSET:
            data["text"] = text
        if healed_photo_url is not UNSET:
            data |= images.image_fields(image)
            data["photo_added_at"] = timezone.now() if image is not None else None
            if locked.image_key and locked.image_key != data["image_key"]:
                images.image_delete_later(locked.image_key)
        model_update(instance=locked, fields=list(data), data=data)
        if healed_photo_url is not UNSET and image is not None:
            images.image_enqueue_variants(kind=KIND, pk=locked.pk, key=locked.image_key)
    return locked


# --- the artist's reply -----------------------------------------------------------------------------


def review_reply_refusal(*, review: Review, user: User) -> ApplicationError | None:
    if review.tattooist.user_id != user.pk:
        return NotAllowedError(_("Only the reviewed artist can reply."), code="not_the_artist")
    if review.reply:
        return ConflictError(_("You have already replied to this review."), code="already_replied")
    return None


def review_reply(*, review_id: int, user: User, text: str) -> Review:
    """The reviewed artist answers once (POST /api/reviews/{id}/reply); again → 409 `already_replied`."""
    review = _review_for(review_id)
    refusal = review_reply_refusal(review=review, user=user)
    if isinstance(refusal, NotAllowedError):
        raise refusal
    text = text.strip()
    problems = {"text": [_("Write a reply.")]} if not text else _text_problem(text, "text")
    if problems:
        raise ApplicationError(_("The reply cannot be saved."), code="invalid", fields=problems)
    with transaction.atomic():
        locked = Review.objects.select_for_update().select_related("tattooist").get(pk=review.pk)
        refusal = review_reply_refusal(review=locked, user=user)
        if refusal is not None:
            raise refusal
        locked.reply, locked.replied_at = text, timezone.now()
        locked.save(update_fields=["reply", "replied_at", "updated_at"])
    return locked


# --- staff moderation -------------------------------------------------------------------------------


def review_set_hidden(*, review_id: int, actor: User, hidden: bool, reason: str) -> Review:
    """Staff hide a review (out of the public list and the rating) or show it again, with a reason,
    audited. Nobody else may (403); no reason → 400; already so → 409 `already_hidden`/`not_hidden`."""
    if not actor.is_admin:
        raise NotAllowedError(_("Only staff can hide or show reviews."), code="permission_denied")
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Say why."), code="invalid", fields={"reason": [_("Give a reason.")]})
    if len(reason) > TEXT_MAX:
        raise ApplicationError(
            _("The reason is too long."),
            code="invalid",
            fields={"reason": [_("At most %(count)s characters.") % {"count": TEXT_MAX}]},
        )
    with transaction.atomic():
        review = Review.objects.select_for_update().filter(pk=review_id).first()
        if review is None:
            raise Http404
        if review.is_hidden == hidden:
            if hidden:
                raise ConflictError(_("This review is already hidden."), code="already_hidden")
            raise ConflictError(_("This review is not hidden."), code="not_hidden")
        sign = -1 if hidden else 1
        _rating_move(tattooist_id=review.tattooist_id, count=sign, total=sign * review.rating)
        review.hidden_at = timezone.now() if hidden else None
        review.hidden_reason = reason if hidden else ""
        review.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
        ReviewModeration.objects.create(
            review=review,
            actor=actor,
            action=ModerationAction.HIDDEN if hidden else ModerationAction.SHOWN,
            reason=reason,
        )
    logger.info("review %s %s by user_id=%s", review.pk, "hidden" if hidden else "shown", actor.pk)
    return review
