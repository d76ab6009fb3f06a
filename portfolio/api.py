from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsTattooist, IsTattooistOrAdmin
from portfolio import selectors, services
from portfolio.models import PortfolioItem
from portfolio.serializers import (
    ArtistDetailSerializer,
    ArtistSerializer,
    PortfolioItemCreateSerializer,
    PortfolioItemSerializer,
    PortfolioItemUpdateSerializer,
)
from tattoo.core import http_cache
from tattoo.core.api import query_text


class PortfolioCreateApi(APIView):
    permission_classes = [IsTattooist]
    extra_error_codes = (503,)

    @extend_schema(
        request=PortfolioItemCreateSerializer,
        responses={201: PortfolioItemSerializer},
        operation_id="portfolio_create",
        summary="Add an uploaded image to the caller's portfolio",
    )
    def post(self, request):
        data = PortfolioItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.portfolio_item_create(user=request.user, **data.validated_data)
        return Response(PortfolioItemSerializer(item).data, status=status.HTTP_201_CREATED)


_ID = OpenApiParameter(
    "id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="GET: the tattooist's id (tattooistId). PATCH and DELETE: the portfolio item's id.",
)


# The query parameters each public read reads: the only ones it gets, and all its cached answers
# are keyed on (tattoo/core/http_cache.py). A new filter adds its name here.
PAGE_QUERY = ("page", "pageSize")
TATTOOIST_LIST_QUERY = ("q", "style", *PAGE_QUERY)


# One path, two meanings: GET lists an artist's items, PATCH/DELETE act on one item.
class PortfolioDetailApi(GenericAPIView):
    serializer_class = PortfolioItemSerializer

    def get_permissions(self):
        if self.request is not None and self.request.method in ("GET", "HEAD"):
            return [AllowAny()]
        if self.request is not None and self.request.method == "DELETE":
            return [IsTattooistOrAdmin()]
        return [IsTattooist()]

    @extend_schema(
        parameters=[
            _ID,
            OpenApiParameter("page", int),
            OpenApiParameter("pageSize", int),
            *http_cache.schema_parameters(),
        ],
        responses={200: PortfolioItemSerializer(many=True), **http_cache.schema_responses()},
        operation_id="portfolio_list",
        summary="An approved artist's portfolio, newest first",
    )
    @http_cache.public_read(lambda pk: [http_cache.artist_key(pk)], query=PAGE_QUERY)
    def get(self, request, pk: int):
        items = selectors.portfolio_public(tattooist_id=pk)
        try:
            page = self.paginate_queryset(items)
        except ValidationError:
            if not selectors.tattooist_is_public(tattooist_id=pk):
                raise Http404 from None  # an unknown artist is a 404 whatever the page asked
            raise
        # An empty first page: an artist without items, or no public artist at all.
        if not page and not selectors.tattooist_is_public(tattooist_id=pk):
            raise Http404
        return self.get_paginated_response(PortfolioItemSerializer(page, many=True).data)

    @extend_schema(
        parameters=[_ID],
        request=PortfolioItemUpdateSerializer,
        responses={200: PortfolioItemSerializer},
        operation_id="portfolio_update",
        summary="Edit the description or tags of an own item",
    )
    def patch(self, request, pk: int):
        item = get_object_or_404(PortfolioItem.objects.select_related("tattooist"), pk=pk)
        data = PortfolioItemUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.portfolio_item_update(item=item, actor=request.user, **data.validated_data)
        return Response(PortfolioItemSerializer(item).data)

    @extend_schema(
        parameters=[_ID],
        responses={204: None},
        operation_id="portfolio_delete",
        summary="Delete an item (owner or staff); its image is removed from the bucket",
    )
    def delete(self, request, pk: int):
        item = get_object_or_404(PortfolioItem.objects.select_related("tattooist"), pk=pk)
        services.portfolio_item_delete(item=item, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- artists: the public list and profile -------------------------------------------------------


class TattooistListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ArtistSerializer

    def get_queryset(self):
        style, q = query_text(self.request, "style", 32), query_text(self.request, "q", 100)
        return selectors.tattooist_list_public(style=style, q=q)

    @extend_schema(
        operation_id="tattooists_list",
        parameters=[
            OpenApiParameter("style", OpenApiTypes.STR, description="Only artists with a portfolio item tagged so."),
            OpenApiParameter("q", OpenApiTypes.STR, description="Search in name and bio."),
            *http_cache.schema_parameters(),
        ],
        responses={200: ArtistSerializer(many=True), **http_cache.schema_responses()},
    )
    @http_cache.public_read(lambda: [http_cache.CATALOG], query=TATTOOIST_LIST_QUERY)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TattooistDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ArtistDetailSerializer}, operation_id="tattooists_retrieve")
    def get(self, request, tattooist_id: int):
        return Response(ArtistDetailSerializer(selectors.tattooist_get_public(tattooist_id=tattooist_id)).data)
