"""Test-only URLconf: the real site plus a bare page that includes the ideas thread.

The booking page that includes the thread for real is built elsewhere; this page lets the thread
and static/js/ideas.js be driven in a browser on their own.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import path

from bookings.models import Booking
from ideas.forms import IdeaForm
from ideas.selectors import ideas_for_booking
from ideas.services import CLOSED_STATUSES
from tattoo.urls import handler400, handler403, handler404, handler500  # noqa: F401
from tattoo.urls import urlpatterns as site_patterns

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}'
    '{% include "ideas/_thread.html" with booking=booking ideas=ideas can_post=can_post form=form %}'
    "{% endblock %}"
)


def thread_page(request, pk: int):
    booking = get_object_or_404(Booking, pk=pk)
    ideas = ideas_for_booking(user=request.user, booking_id=pk)
    context = {
        "booking": booking,
        "ideas": ideas,
        "can_post": booking.status not in CLOSED_STATUSES,
        "form": IdeaForm(),
    }
    return HttpResponse(PAGE.render(context, request))


urlpatterns = [path("test-ideas/<int:pk>", thread_page), *site_patterns]
