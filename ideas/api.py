from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.selectors import booking_authorize_named
from ideas import selectors, services
from ideas.serializers import (
    TattooIdeaCreateSerializer,
    TattooIdeaSerializer,
    TattooIdeaUpdateSerializer,
)

# Every endpoint needs a signed-in caller (default IsAuthenticated → 401); who may act on which
# booking or idea is decided in selectors/services (404 for unknown ids first, then 403).


class TattooIdeaCreateApi(APIView):
    extra_error_codes = (503,)

    @extend_schema(
        request=TattooIdeaCreateSerializer,
        responses={201: TattooIdeaSerializer},
        operation_id="tattoo_ideas_create",
        summary="Add an idea (description and/or uploaded image) to a booking; its customer or tattooist",
    )
    def post(self, request):
        booking_authorize_named(user=request.user, data=request.data)  # who asks, before the body
        data = TattooIdeaCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        idea = services.idea_create(user=request.user, **data.validated_data)
        return Response(TattooIdeaSerializer(idea).data, status=status.HTTP_201_CREATED)


_ID = OpenApiParameter(
    "id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="GET: the booking's id (bookingId). PATCH and DELETE: the idea's id.",
)


# One path, two meanings (docs/api.md): GET lists a booking's ideas, PATCH/DELETE act on one idea.
class TattooIdeaDetailApi(GenericAPIView):
    serializer_class = TattooIdeaSerializer

    @extend_schema(
        parameters=[_ID, OpenApiParameter("page", int), OpenApiParameter("pageSize", int)],
        responses={200: TattooIdeaSerializer(many=True)},
        operation_id="tattoo_ideas_list",
        summary="A booking's ideas, oldest first (its parties and staff)",
    )
    def get(self, request, pk: int):
        page = self.paginate_queryset(selectors.ideas_for_booking(user=request.user, booking_id=pk))
        return self.get_paginated_response(TattooIdeaSerializer(page, many=True).data)

    @extend_schema(
        parameters=[_ID],
        request=TattooIdeaUpdateSerializer,
        responses={200: TattooIdeaSerializer},
        operation_id="tattoo_ideas_update",
        summary="Edit an idea's description (author or staff)",
    )
    def patch(self, request, pk: int):
        idea = selectors.idea_get(idea_id=pk)
        # 403 before 400: a caller who may not edit learns nothing from validating their body.
        services.idea_require_author_or_admin(idea, request.user, "edit")
        data = TattooIdeaUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        idea = services.idea_update(idea=idea, actor=request.user, **data.validated_data)
        return Response(TattooIdeaSerializer(idea).data)

    @extend_schema(
        parameters=[_ID],
        responses={204: None},
        operation_id="tattoo_ideas_delete",
        summary="Delete an idea (author or staff); its image is removed from the bucket",
    )
    def delete(self, request, pk: int):
        idea = selectors.idea_get(idea_id=pk)
        services.idea_delete(idea=idea, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
