"""Thin DRF views of the public artist list and profile (docs/search.md)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from search import selectors
from search.serializers import ArtistDetailSerializer, ArtistListQuerySerializer, ArtistSerializer
from tattoo.core import http_cache


class TattooistListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ArtistSerializer
    # The query parameters the answer depends on: the serializer's fields (for the ETag's key).
    query_serializer = ArtistListQuerySerializer

    def get_queryset(self):
        params = self.query_serializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.artist_search(params.to_query())

    @extend_schema(
        operation_id="tattooists_list",
        summary="Find approved artists: text in both scripts, place, price, rating and free time",
        parameters=[ArtistListQuerySerializer, *http_cache.schema_parameters()],
        responses={200: ArtistSerializer(many=True), **http_cache.schema_responses()},
    )
    # nextAvailable moves with the clock and every booking: the answer is kept at most five minutes
    # (http_cache.LISTING_CLOCK, docs/search.md); the catalog version covers profiles, names and portfolios.
    @http_cache.public_read(
        lambda: [http_cache.CATALOG, http_cache.LISTING_CLOCK], query=ArtistListQuerySerializer.parameter_names()
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TattooistDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ArtistDetailSerializer}, operation_id="tattooists_retrieve")
    def get(self, request, tattooist_id: int):
        return Response(ArtistDetailSerializer(selectors.artist_profile(tattooist_id=tattooist_id)).data)
