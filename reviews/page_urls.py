"""Page routes of the reviews app, included at the site root by tattoo/urls.py."""

from django.urls import path

from reviews import views

urlpatterns = [
    path("bookings/<int:booking_id>/review/", views.review_create, name="booking-review"),
    path("reviews/<int:review_id>/", views.review_update, name="review-update"),
    path("reviews/<int:review_id>/reply/", views.review_reply, name="review-reply"),
]
