"""Booking pages. STUB: the lead's second wave adds the booking page, create form and actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from bookings.models import Booking


@login_required
def my_bookings(request):
    # Replace with the bookings selector (booking_list_for) when it lands; scoped to the caller.
    bookings = (
        Booking.objects.filter(customer=request.user).select_related("tattooist__user").order_by("-slot", "-id")[:100]
    )
    return render(request, "bookings/my_bookings.html", {"bookings": bookings})
