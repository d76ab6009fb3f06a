"""Thin DRF views: a booking's review, an artist's public reviews, the reply, the author's edit."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import tattooist_is_public
from bookings.selectors import booking_get_for
from reviews import selectors, services
from reviews.models import Review
from reviews.serializers import (
    ReplySerializer,
    ReviewCreateSerializer,
    ReviewPublicSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
)
from tattoo.core import http_cache
from tattoo.core.errors import NotAllowedError

PAGE_QUERY = ("page", "pageSize")


class BookingReviewApi(APIView):
    extra_error_codes = (409,)

    @extend_schema(
        request=ReviewCreateSerializer,
        responses={201: ReviewSerializer},
        operation_id="bookings_review_create",
        summary="The booking's customer reviews the completed session",
        description="Published at once. Only the booking's customer (403 otherwise); the booking must be "
        "`completed` (409 `not_completed`); one review per booking (409 `already_reviewed`).",
    )
    def post(self, request, pk: int):
        booking = booking_get_for(user=request.user, booking_id=pk)  # who asks, before the body
        refusal = services.review_create_refusal(booking=booking, user=request.user)
        if isinstance(refusal, NotAllowedError):
            raise refusal
        data = ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_create(booking_id=pk, user=request.user, **data.validated_data)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class TattooistReviewsApi(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ReviewPublicSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("pageSize", int),
            *http_cache.schema_parameters(),
        ],
        responses={200: ReviewPublicSerializer(many=True), **http_cache.schema_responses()},
        operation_id="tattooists_reviews",
        summary="An approved artist's published reviews, newest first",
        description="Hidden reviews (staff, with a reason) are left out, as they are of `rating`. There is no "
        "filter by rating: nobody can keep reviews out by their stars.",
    )
    @http_cache.public_read(lambda tattooist_id: [http_cache.artist_key(tattooist_id)], query=PAGE_QUERY)
    def get(self, request, tattooist_id: int):
        if not tattooist_is_public(tattooist_id=tattooist_id):
            raise Http404
        page = self.paginate_queryset(selectors.reviews_published(tattooist_id=tattooist_id))
        return self.get_paginated_response(ReviewPublicSerializer(page, many=True).data)


class ReviewReplyApi(APIView):
    extra_error_codes = (409,)

    @extend_schema(
        request=ReplySerializer,
        responses={200: ReviewSerializer},
        operation_id="reviews_reply",
        summary="The reviewed artist replies, once",
        description="Only the reviewed artist (403 otherwise); a second reply → 409 `already_replied`.",
    )
    def post(self, request, pk: int):
        review = Review.objects.select_related("tattooist").filter(pk=pk).first()
        if review is None:
            raise Http404
        refusal = services.review_reply_refusal(review=review, user=request.user)
        if isinstance(refusal, NotAllowedError):
            raise refusal
        data = ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_reply(review_id=pk, user=request.user, text=data.validated_data["text"])
        return Response(ReviewSerializer(review).data)


class ReviewDetailApi(APIView):
    extra_error_codes = (409, 503)

    @extend_schema(
        request=ReviewUpdateSerializer,
        responses={200: ReviewSerializer},
        operation_id="reviews_update",
        summary="The author edits the review: rating, text, healed photo",
        description="Only its author (403 otherwise). A healed photo earlier than HEALED_PHOTO_DAYS (21) days "
        "after the session → 409 `too_early`.",
    )
    def patch(self, request, pk: int):
        review = Review.objects.filter(pk=pk).only("id", "customer_id").first()
        if review is None:
            raise Http404
        refusal = services.review_update_refusal(review=review, user=request.user)  # who asks, before the body
        if refusal is not None:
            raise refusal
        data = ReviewUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        review = services.review_update(review_id=pk, user=request.user, **data.validated_data)
        return Response(ReviewSerializer(review).data)
