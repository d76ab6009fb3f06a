from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=&pageSize=` (at most 100) → `{count, next, previous, results}`."""

    page_size = 20
    page_size_query_param = "pageSize"
    max_page_size = 100
