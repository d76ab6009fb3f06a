from django.urls import path

from reviews import api

urlpatterns = [
    path("bookings/<int:pk>/review", api.BookingReviewApi.as_view(), name="api-booking-review"),
    path("tattooists/<int:tattooist_id>/reviews", api.TattooistReviewsApi.as_view(), name="api-tattooist-reviews"),
    path("reviews/<int:pk>", api.ReviewDetailApi.as_view(), name="api-review"),
    path("reviews/<int:pk>/reply", api.ReviewReplyApi.as_view(), name="api-review-reply"),
]
