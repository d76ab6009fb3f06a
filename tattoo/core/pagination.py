from __future__ import annotations

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=&pageSize=` (at most 100) → `{count, next, previous, results}`.

    A page number that is not a positive integer or lies past the last page (so also any page
    beyond 10^9: no list is that long) is bad input (400 on `page`), not a missing resource.
    """

    page_size = 20
    page_size_query_param = "pageSize"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({"page": [str(exc.detail)]}) from None
