"""What the services of custom work share: the constants, reading one object for a caller (unknown
id → 404, not a party → 403), and the amount and field-error helpers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TypeVar, overload

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.models import ACTIVE_STATUSES, BookingStatus
from consultations.models import Consultation, Project, Quote
from tattoo.core.errors import ApplicationError, NotAllowedError
from tattoo.core.money import is_whole, quantize

IMAGE_KIND = "consultations"  # the upload folder and image kind of request and message photos
MAX_OPEN_REQUESTS = 3  # open requests (submitted or quoted) one customer may have at once
MAX_IMAGES = 6  # photos per request, and per message
MIN_AGE = 18
QUOTE_DEFAULT_LIFE = timedelta(hours=72)
QUOTE_MAX_LIFE = timedelta(days=14)
EXPIRING_LEAD = timedelta(hours=12)  # "your quote expires in 12 hours"
EXPIRE_TASK = "consultations.expire_quote"
EXPIRING_TASK = "consultations.quote_expiring"
# A session that happened (or is going ahead) uses up one of the project's planned sessions.
USED_STATUSES = (*ACTIVE_STATUSES, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)
OVER_STATUSES = (BookingStatus.COMPLETED, BookingStatus.NO_SHOW)

M = TypeVar("M", bound=models.Model)


def consultation_is_party(consultation: Consultation, user: User) -> bool:
    return user.pk in (consultation.customer_id, consultation.tattooist.user_id)


def consultation_for(*, user: User, consultation_id: int, lock: bool = False) -> Consultation:
    """One request for one of its parties or staff: unknown id → 404, anyone else → 403."""
    qs = Consultation.objects.select_related("tattooist__user", "customer")
    if lock:
        qs = qs.select_for_update(of=("self",))
    consultation = qs.filter(pk=consultation_id).first()
    if consultation is None:
        raise Http404
    if not consultation_is_party(consultation, user) and not user.is_admin:
        raise NotAllowedError(_("This consultation request is not yours."), code="not_a_party")
    return consultation


def quote_for(*, quote_id: int) -> Quote:
    quote = Quote.objects.select_related("consultation__tattooist__user", "consultation__customer").filter(pk=quote_id)
    found = quote.first()
    if found is None:
        raise Http404
    return found


def project_for(*, user: User, project_id: int) -> Project:
    """One project for one of its parties or staff: unknown id → 404, anyone else → 403."""
    project = Project.objects.select_related("tattooist__user", "customer").filter(pk=project_id).first()
    if project is None:
        raise Http404
    if user.pk not in (project.customer_id, project.tattooist.user_id) and not user.is_admin:
        raise NotAllowedError(_("This project is not yours."), code="not_a_party")
    return project


def require_artist(consultation: Consultation, user: User) -> None:
    if user.pk != consultation.tattooist.user_id:
        raise NotAllowedError(_("Only the request's artist can do this."), code="not_the_artist")


def require_project_party(project: Project, user: User) -> None:
    """Staff read a project and may cancel it; its sessions are booked by its parties only."""
    if user.pk not in (project.customer_id, project.tattooist.user_id):
        raise NotAllowedError(_("Only the project's customer and artist book its sessions."), code="not_a_party")


def _lock(model: type[M], pk: int) -> M:
    return model._default_manager.select_for_update(of=("self",)).get(pk=pk)


@overload
def _whole(amount: Decimal, field: str) -> Decimal: ...


@overload
def _whole(amount: Decimal | None, field: str) -> Decimal | None: ...


def _whole(amount: Decimal | None, field: str) -> Decimal | None:
    if amount is None:
        return None
    amount = quantize(amount)
    if amount < 0 or not is_whole(amount):
        raise ApplicationError(
            _("Amounts are whole tugriks."), code="not_whole", fields={field: [_("Use a whole MNT amount.")]}
        )
    return amount


def _problem(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})
