"""The composite pages' routes (home, artist page, bookings, dashboard), at the site root (tattoo/urls.py)."""

from django.urls import path

from tattoo.site.views import booking_form, bookings, calendar, dashboard, public

urlpatterns = [
    path("", public.home, name="home"),
    path("artists/<int:tattooist_id>/", public.artist_detail, name="artist-detail"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("bookings/", bookings.my_bookings, name="my-bookings"),
    path("bookings/<int:booking_id>/", bookings.booking_detail, name="booking-detail"),
    path("bookings/<int:booking_id>/state.json", bookings.booking_state, name="booking-state"),
    path("bookings/<int:booking_id>/status/", bookings.booking_status, name="booking-status"),
    path("bookings/<int:booking_id>/reschedule/", bookings.booking_reschedule, name="booking-reschedule"),
    path("bookings/<int:booking_id>/pay/", bookings.booking_pay, name="booking-pay"),
    path("bookings/<int:booking_id>/recheck/", bookings.booking_recheck, name="booking-recheck"),
    path("artists/<int:tattooist_id>/book/", booking_form.booking_create, name="booking-create"),
    path("dashboard/hours/", dashboard.availability_add, name="availability-add"),
    path("dashboard/hours/<int:availability_id>/delete/", dashboard.availability_delete, name="availability-delete"),
    path("dashboard/time-off/", dashboard.time_off_add, name="time-off-add"),
    path("dashboard/time-off/<int:time_off_id>/delete/", dashboard.time_off_delete, name="time-off-delete"),
    path("dashboard/settings/", dashboard.settings_update, name="settings-update"),
    path("dashboard/profile/", dashboard.profile_update, name="profile-update"),
    path("dashboard/portfolio/<int:item_id>/delete/", dashboard.portfolio_delete, name="portfolio-delete"),
    path("dashboard/calendar/rotate/", dashboard.calendar_rotate, name="calendar-rotate"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
]
