from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=&pageSize=` (at most 100) → `{count, next, previous, results}`.

    A page number that is not a positive integer or lies past the last page (so also any page
    beyond 10^9: no list is that long) is bad input (400 on `page`), not a missing resource.
    """

    page_size = 20
    page_size_query_param = "pageSize"
    max_page_size = 100

    # Any: the rows of whichever list view paginates (DRF's own signature is generic in them)
    def paginate_queryset(
        self, queryset: QuerySet[Model, Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({"page": [str(exc.detail)]}) from None
