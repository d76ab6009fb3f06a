"""The composite pages' routes (home, artist page, bookings, dashboard), at the site root (tattoo/urls.py)."""

from django.urls import path

from tattoo.site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("artists/<int:tattooist_id>/", views.artist_detail, name="artist-detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("bookings/", views.my_bookings, name="my-bookings"),
    path("bookings/<int:booking_id>/", views.booking_detail, name="booking-detail"),
    path("bookings/<int:booking_id>/state.json", views.booking_state, name="booking-state"),
    path("bookings/<int:booking_id>/status/", views.booking_status, name="booking-status"),
    path("bookings/<int:booking_id>/reschedule/", views.booking_reschedule, name="booking-reschedule"),
    path("bookings/<int:booking_id>/pay/", views.booking_pay, name="booking-pay"),
    path("bookings/<int:booking_id>/recheck/", views.booking_recheck, name="booking-recheck"),
    path("artists/<int:tattooist_id>/book/", views.booking_create, name="booking-create"),
    path("dashboard/hours/", views.availability_add, name="availability-add"),
    path("dashboard/hours/<int:availability_id>/delete/", views.availability_delete, name="availability-delete"),
    path("dashboard/time-off/", views.time_off_add, name="time-off-add"),
    path("dashboard/time-off/<int:time_off_id>/delete/", views.time_off_delete, name="time-off-delete"),
    path("dashboard/settings/", views.settings_update, name="settings-update"),
    path("dashboard/profile/", views.profile_update, name="profile-update"),
    path("dashboard/portfolio/<int:item_id>/delete/", views.portfolio_delete, name="portfolio-delete"),
    path("dashboard/calendar/rotate/", views.calendar_rotate, name="calendar-rotate"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
