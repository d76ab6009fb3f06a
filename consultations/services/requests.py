"""Consultation requests: send one, its messages, withdraw and decline (docs/consultations.md)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import BookingMode, Role, Tattooist, User
from consultations import notices
from consultations.models import (
    ANSWERABLE_CONSULTATION,
    OPEN_CONSULTATION,
    Consultation,
    ConsultationImage,
    ConsultationMessage,
    ConsultationStatus,
    Quote,
    QuoteStatus,
)
from consultations.services.common import (
    IMAGE_KIND,
    MAX_IMAGES,
    MAX_OPEN_REQUESTS,
    MIN_AGE,
    _whole,
    consultation_for,
    consultation_is_party,
    require_artist,
)
from consultations.transitions import event_write, status_move
from tattoo.core import images
from tattoo.core.errors import ApplicationError, ConflictError, NotAllowedError
from tattoo.core.rates import rate_refusal

logger = logging.getLogger("inkbook.consultations")


def consultation_create_refusal(*, customer: User) -> NotAllowedError | None:
    """Why `customer` may not send a request at all (403), or None (the request page asks it too)."""
    if not (customer.is_authenticated and customer.role == Role.CUSTOMER):
        return NotAllowedError(_("Only customers can send consultation requests."), code="permission_denied")
    if not customer.email_verified:
        return NotAllowedError(
            _("Confirm your e-mail address first: open the link we mailed you, or ask for a new one."),
            code="email_unverified",
        )
    return None


def requests_closed_refusal(*, artist: Tattooist) -> ConflictError | None:
    """Why `artist` takes no consultation requests (409), or None: only direct booking."""
    if artist.booking_mode != BookingMode.DIRECT:
        return None
    return ConflictError(
        _("This artist takes direct bookings only: pick a free time on their page instead."),
        code="requests_closed",
        fields={"tattooistId": [_("This artist takes no consultation requests.")]},
    )


def age_on(born: date, day: date) -> int:
    """Whole years from `born` to `day` (a 29 February birthday comes of age on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def underage_refusal(*, date_of_birth: date, today: date) -> ApplicationError | None:
    """Why a person born on `date_of_birth` may not ask for a tattoo `today` (400), or None."""
    if date_of_birth > today or age_on(date_of_birth, today) > 120:
        return ApplicationError(
            _("Check the date of birth."), code="invalid", fields={"dateOfBirth": [_("Not a real date of birth.")]}
        )
    if age_on(date_of_birth, today) < MIN_AGE:
        return ApplicationError(
            _("You must be 18 or older to ask for a tattoo."),
            code="underage",
            fields={"dateOfBirth": [_("Inkbook artists tattoo people of 18 and over only.")]},
        )
    return None


def too_many_requests_refusal(*, customer: User) -> ConflictError | None:
    """A customer with MAX_OPEN_REQUESTS open requests sends no more until one is answered or closed."""
    count = Consultation.objects.filter(customer=customer, status__in=OPEN_CONSULTATION).count()
    if count < MAX_OPEN_REQUESTS:
        return None
    return ConflictError(
        _("You have %(count)s open requests; wait for an answer or withdraw one before sending another.")
        % {"count": count},
        code="too_many_requests",
    )


def _attach_all(stack: ExitStack, *, urls: Sequence[str], user: User, field: str) -> list[images.AttachedImage]:
    """Re-encode each upload (tattoo/core/images.py) before the transaction; a failure later removes
    the copies (the attach's own rule)."""
    return [
        stack.enter_context(
            images.attach_image(
                kind=IMAGE_KIND,
                image_url=url,
                user=user,
                in_use=lambda key: ConsultationImage.objects.filter(image_key=key).exists(),
                field=field,
            )
        )
        for url in urls
    ]


def _store_images(
    attached: Sequence[images.AttachedImage],
    *,
    consultation: Consultation,
    user: User,
    message: ConsultationMessage | None = None,
) -> None:
    for image in attached:
        row = ConsultationImage.objects.create(
            consultation=consultation, message=message, uploaded_by=user, **images.image_fields(image)
        )
        images.image_enqueue_variants(kind=IMAGE_KIND, pk=row.pk, key=row.image_key)


def _images_refusal(urls: Sequence[str], field: str) -> ApplicationError | None:
    if len(urls) > MAX_IMAGES:
        return ApplicationError(
            _("At most %(count)s photos.") % {"count": MAX_IMAGES},
            code="too_many_images",
            fields={field: [_("At most %(count)s photos.") % {"count": MAX_IMAGES}]},
        )
    if len(set(urls)) != len(urls):
        return ApplicationError(_("A photo is listed twice."), code="invalid", fields={field: [_("Listed twice.")]})
    return None


def consultation_create(
    *,
    customer: User,
    tattooist_id: int,
    description: str,
    placement: str,
    width_cm: int,
    height_cm: int,
    colour: str,
    date_of_birth: date,
    budget_max: Decimal | None = None,
    availability_note: str = "",
    image_urls: Sequence[str] = (),
    now: datetime | None = None,
) -> Consultation:
    """A customer's request to an artist who takes custom work: `submitted`, the artist mailed.

    403 for anyone but a verified customer; 400 for an unknown or unapproved artist, a bad photo or
    amount, and for anyone under 18 on the day (in the artist's zone: `underage`); 409
    `requests_closed` for an artist in direct mode and `too_many_requests` for a fourth open request.
    """
    refusal: ApplicationError | None = consultation_create_refusal(customer=customer)
    if refusal is not None:
        raise refusal
    now = now or timezone.now()
    artist = Tattooist.objects.select_related("user").filter(pk=tattooist_id).first()
    if artist is None or not (artist.approved and artist.user.is_active):
        raise ApplicationError(
            _("There is no such artist taking requests."),
            code="unknown_artist",
            fields={"tattooistId": [_("Unknown artist.")]},
        )
    refusal = (
        requests_closed_refusal(artist=artist)
        or underage_refusal(date_of_birth=date_of_birth, today=now.astimezone(ZoneInfo(artist.timezone)).date())
        or _images_refusal(image_urls, "imageUrls")
    )
    if refusal is not None:
        raise refusal
    budget = _whole(budget_max, "budgetMax")
    refusal = too_many_requests_refusal(customer=customer) or rate_refusal(
        scope="consultation_create", user_id=customer.pk, rate=settings.CONSULTATION_CREATE_RATE
    )
    if refusal is not None:
        raise refusal
    with ExitStack() as stack:
        attached = _attach_all(stack, urls=image_urls, user=customer, field="imageUrls")
        with transaction.atomic():
            # The customer's row serialises their requests: the limit of open ones is exact.
            list(User.objects.select_for_update(no_key=True).filter(pk=customer.pk).values_list("pk"))
            refusal = too_many_requests_refusal(customer=customer)
            if refusal is not None:
                raise refusal
            consultation = Consultation.objects.create(
                customer=customer,
                tattooist=artist,
                description=description,
                placement=placement,
                width_cm=width_cm,
                height_cm=height_cm,
                colour=colour,
                budget_max=budget,
                availability_note=availability_note,
                date_of_birth=date_of_birth,
            )
            _store_images(attached, consultation=consultation, user=customer)
            event_write(consultation, actor=customer, to_status=ConsultationStatus.SUBMITTED, note="requested")
            notices.consultation_received(consultation)
    logger.info("consultation %s sent to artist %s", consultation.pk, artist.pk)
    return consultation


def _answered(consultation: Consultation, user: User, now: datetime) -> None:
    """The artist's first answer, once (the response-time figures)."""
    if user.pk == consultation.tattooist.user_id and consultation.first_answered_at is None:
        Consultation.objects.filter(pk=consultation.pk, first_answered_at=None).update(first_answered_at=now)
        consultation.first_answered_at = now


def message_refusal(*, consultation: Consultation, user: User) -> ApplicationError | None:
    """Why `user` may not write in this request's thread now, or None (the page asks it too)."""
    if not consultation_is_party(consultation, user):
        return NotAllowedError(_("Only the request's customer and artist can write here."), code="not_a_party")
    if consultation.status not in (*ANSWERABLE_CONSULTATION, ConsultationStatus.ACCEPTED):
        return ConflictError(
            _("This request is %(status)s; it takes no new messages.")
            % {"status": str(consultation.get_status_display()).lower()},
            code="consultation_closed",
        )
    return None


def consultation_message_create(
    *, user: User, consultation_id: int, body: str = "", image_urls: Sequence[str] = (), now: datetime | None = None
) -> ConsultationMessage:
    """A message (text, photos, or both) in a request's thread; the other party is mailed."""
    consultation = consultation_for(user=user, consultation_id=consultation_id)
    refusal = message_refusal(consultation=consultation, user=user)
    if refusal is not None:
        raise refusal
    now = now or timezone.now()
    if not body.strip() and not image_urls:
        raise ApplicationError(
            _("Write something or attach a photo."), code="empty_message", fields={"body": [_("Empty message.")]}
        )
    refusal = _images_refusal(image_urls, "imageUrls") or rate_refusal(
        scope="consultation_message", user_id=user.pk, rate=settings.CONSULTATION_MESSAGE_RATE
    )
    if refusal is not None:
        raise refusal
    with ExitStack() as stack:
        attached = _attach_all(stack, urls=image_urls, user=user, field="imageUrls")
        with transaction.atomic():
            consultation = consultation_for(user=user, consultation_id=consultation_id, lock=True)
            refusal = message_refusal(consultation=consultation, user=user)
            if refusal is not None:
                raise refusal
            message = ConsultationMessage.objects.create(consultation=consultation, author=user, body=body)
            _store_images(attached, consultation=consultation, user=user, message=message)
            _answered(consultation, user, now)
            Consultation.objects.filter(pk=consultation.pk).update(updated_at=now)
            notices.message_posted(consultation, author=user, message_id=message.pk)
    return message


def _close_open_quote(consultation: Consultation, *, actor: User, note: str, now: datetime) -> None:
    quote = Quote.objects.select_for_update().filter(consultation=consultation, status=QuoteStatus.OPEN).first()
    if quote is not None:
        status_move(quote, QuoteStatus.WITHDRAWN, actor=actor, note=note, decided_at=now)


def consultation_withdraw(*, user: User, consultation_id: int, now: datetime | None = None) -> Consultation:
    """The customer takes the request back (an open quote with it); the artist is mailed."""
    consultation = consultation_for(user=user, consultation_id=consultation_id)
    if user.pk != consultation.customer_id:
        raise NotAllowedError(_("Only the customer who sent the request can withdraw it."), code="not_the_customer")
    now = now or timezone.now()
    with transaction.atomic():
        consultation = consultation_for(user=user, consultation_id=consultation_id, lock=True)
        status_move(consultation, ConsultationStatus.WITHDRAWN, actor=user, note="withdrawn")
        _close_open_quote(consultation, actor=user, note="request withdrawn", now=now)
        notices.consultation_withdrawn(consultation)
    return consultation


def consultation_decline(*, user: User, consultation_id: int, reason: str, now: datetime | None = None) -> Consultation:
    """The artist says no, with a reason the customer is mailed (an open quote closes with it)."""
    require_artist(consultation_for(user=user, consultation_id=consultation_id), user)
    if not reason.strip():
        raise ApplicationError(
            _("Say why, so the customer knows."), code="invalid", fields={"reason": [_("A reason is needed.")]}
        )
    now = now or timezone.now()
    with transaction.atomic():
        consultation = consultation_for(user=user, consultation_id=consultation_id, lock=True)
        status_move(consultation, ConsultationStatus.DECLINED, actor=user, note=reason)
        _close_open_quote(consultation, actor=user, note="request declined", now=now)
        _answered(consultation, user, now)
        notices.consultation_declined(consultation, reason=reason)
    return consultation
