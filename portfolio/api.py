from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portfolio import selectors, services
from portfolio.models import PortfolioItem
from portfolio.serializers import (
    PortfolioItemCreateSerializer,
    PortfolioItemPageSerializer,
    PortfolioItemSerializer,
    PortfolioItemUpdateSerializer,
)
from tattoo import fastjson, http_cache
from tattoo.pagination import fetch_page
from tattoo.permissions import IsTattooist, IsTattooistOrAdmin


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


# One path, two meanings (API.md): GET lists an artist's items, PATCH/DELETE act on one item.
def portfolio_public_answer(request, pk: int) -> HttpResponse:
    """An approved artist's portfolio page: one SQL statement, plain rows and json.dumps instead of
    PortfolioItemSerializer and the camelCase renderer (same bytes; portfolio/tests pin them).

    The view below answers with it, and so does tattoo/front.py for anonymous reads, without the
    middleware stack; it raises Http404 / ValidationError for the stack to turn into errors.
    """
    page = fetch_page(
        request,
        lambda limit, offset: selectors.portfolio_page_public(tattooist_id=pk, limit=limit, offset=offset),
        exists=lambda: selectors.tattooist_is_public(tattooist_id=pk),
    )
    iso = fastjson.iso_formatter()
    return fastjson.json_response(
        page.body(
            request,
            [
                {
                    "id": pk_,
                    "tattooistId": tattooist_id,
                    "imageUrl": image_url,
                    "description": description,
                    "tags": list(tags),
                    "createdAt": iso(created_at),
                    "updatedAt": iso(updated_at),
                }
                for pk_, tattooist_id, image_url, description, tags, created_at, updated_at in page.rows
            ],
        )
    )


class PortfolioDetailApi(APIView):
    def get_permissions(self):
        if self.request is not None and self.request.method == "GET":
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
        responses={200: PortfolioItemPageSerializer, **http_cache.schema_responses()},
        operation_id="portfolio_list",
        summary="An approved artist's portfolio, newest first",
    )
    def get(self, request, pk: int):
        return portfolio_public_answer(request, pk)

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
