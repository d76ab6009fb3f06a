"""The bookings app's own page: the consent form (the mailed link and the booking page lead here)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bookings import consent
from bookings.forms import ConsentForm
from bookings.selectors import booking_get_for
from tattoo.core.errors import ApplicationError, ConflictError
from tattoo.core.forms import add_application_error


@login_required
@require_http_methods(["GET", "POST"])
def booking_consent(request, booking_id: int):
    """GET: the form for the booking's customer; POST: consent_sign, as POST /api/bookings/{id}/consent."""
    try:
        booking = booking_get_for(user=request.user, booking_id=booking_id)
    except ApplicationError as exc:
        raise PermissionDenied(exc.message) from None
    refusal = consent.consent_sign_refusal(booking=booking, user=request.user)
    if isinstance(refusal, ConflictError):
        messages.info(request, refusal.message)
        return redirect("booking-detail", booking.pk)
    if refusal is not None:
        raise PermissionDenied(refusal.message)
    form = ConsentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                consent.consent_sign(
                    booking_id=booking.pk,
                    user=request.user,
                    date_of_birth=data["date_of_birth"],
                    answers=form.answers(),
                    signature=data["signature"],
                    agree=data["agree"],
                )
            except ApplicationError as exc:
                if exc.status_code == 409:
                    messages.info(request, exc.message)
                    return redirect("booking-detail", booking.pk)
                add_application_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Thank you: the consent form is signed."))
                return redirect("booking-detail", booking.pk)
    return render(
        request,
        "bookings/consent.html",
        {"booking": booking, "form": form, "questions": [form[name] for name, _label in consent.QUESTIONS]},
        status=status,
    )
