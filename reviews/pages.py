"""What the booking page and the artist page show of reviews (the views in tattoo/site/views/ call these)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from bookings.models import Booking
from reviews import selectors, services
from reviews.forms import ReplyForm, ReviewForm

ARTIST_PAGE_REVIEWS = 10


def booking_review_context(*, booking: Booking, user) -> dict:
    """The booking page's review section: the customer's form or their review (edit, healed photo),
    the artist's reply form, as the services' refusals allow."""
    review = selectors.review_of_booking(booking)
    if review is None:
        refusal = services.review_create_refusal(booking=booking, user=user)
        return {
            "review": None,
            "can_review": refusal is None,
            "review_form": ReviewForm() if refusal is None else None,
        }
    photo_from = services.healed_photo_from(booking)
    is_author = services.review_update_refusal(review=review, user=user) is None
    return {
        "review": review,
        "review_customer_name": selectors.public_name(review.customer.name),
        "is_author": is_author,
        "edit_form": ReviewForm(initial={"rating": review.rating, "text": review.text}) if is_author else None,
        "photo_from": photo_from,
        "photo_open": is_author and timezone.now() >= photo_from,
        "can_reply": services.review_reply_refusal(review=review, user=user) is None,
        "reply_form": ReplyForm(),
        "upload_max_bytes": settings.UPLOAD_MAX_BYTES,
    }


def artist_reviews(*, tattooist_id: int) -> dict:
    """The artist page's newest published reviews (those with a healed photo show it)."""
    reviews = list(selectors.reviews_published(tattooist_id=tattooist_id)[:ARTIST_PAGE_REVIEWS])
    for review in reviews:
        review.public_name = selectors.public_name(review.customer.name)
    return {"reviews": reviews}
