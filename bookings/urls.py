from django.urls import path

from bookings import api, consent_api

urlpatterns = [
    path("tattooists/me", api.TattooistMeApi.as_view(), name="api-tattooists-me"),
    path("tattooists/<int:tattooist_id>/slots", api.TattooistSlotsApi.as_view(), name="api-tattooist-slots"),
    path("availability", api.AvailabilityCreateApi.as_view(), name="api-availability"),
    path("availability/<int:pk>", api.AvailabilityItemApi.as_view(), name="api-availability-item"),
    path("time-off", api.TimeOffListCreateApi.as_view(), name="api-time-off"),
    path("time-off/<int:pk>", api.TimeOffItemApi.as_view(), name="api-time-off-item"),
    path("bookings", api.BookingListCreateApi.as_view(), name="api-bookings"),
    path("bookings/<int:pk>", api.BookingDetailApi.as_view(), name="api-booking"),
    path("bookings/<int:pk>/reschedule", api.BookingRescheduleApi.as_view(), name="api-booking-reschedule"),
    path("bookings/<int:pk>/consent", consent_api.BookingConsentApi.as_view(), name="api-booking-consent"),
]
