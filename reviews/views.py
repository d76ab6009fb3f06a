"""Review pages: the booking page's review section (reviews/pages.py) posts here; each answers with
a redirect to the booking page, as the booking page's other forms do."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reviews import services
from reviews.forms import ReplyForm, ReviewForm
from reviews.models import Review
from tattoo.core.errors import ApplicationError


def _back(booking_id: int) -> str:
    return reverse("booking-detail", args=[booking_id]) + "#review"


def _attempt(request, action, done: str) -> None:
    try:
        action()
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        messages.error(request, " ".join([exc.message, *(m for ms in exc.fields.values() for m in ms)]))
    else:
        messages.success(request, done)


def _form_errors(request, form) -> None:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


@login_required
@require_POST
def review_create(request, booking_id: int):
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: services.review_create(
                booking_id=booking_id,
                user=request.user,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
            ),
            _("Thank you: your review is published."),
        )
    return redirect(_back(booking_id))


def _review(review_id: int) -> Review:
    review = Review.objects.filter(pk=review_id).only("id", "booking_id").first()
    if review is None:
        raise Http404
    return review


@login_required
@require_POST
def review_update(request, review_id: int):
    review = _review(review_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: services.review_update(
                review_id=review.pk,
                user=request.user,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
            ),
            _("Your review is saved."),
        )
    return redirect(_back(review.booking_id))


@login_required
@require_POST
def review_reply(request, review_id: int):
    review = _review(review_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: services.review_reply(review_id=review.pk, user=request.user, text=form.cleaned_data["text"]),
            _("Your reply is published."),
        )
    return redirect(_back(review.booking_id))
