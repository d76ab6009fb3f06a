"""Page routes of the bookings app, included at the site root by tattoo/urls.py."""

from django.urls import path

from bookings import views

urlpatterns = [
    path("bookings/<int:booking_id>/consent/", views.booking_consent, name="booking-consent"),
]
