from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.utils.urls import remove_query_param, replace_query_param

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
INVALID_PAGE = "Invalid page."
# Far past any real last page (which is a 400 anyway), and keeps OFFSET inside PostgreSQL's bigint.
MAX_PAGE_NUMBER = 10**9


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=&pageSize=` (at most 100) → `{count, next, previous, results}`.

    A page number that is not a positive integer or lies past the last page is bad input (400 on
    `page`), not a missing resource.
    """

    page_size = PAGE_SIZE
    page_size_query_param = "pageSize"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({"page": [str(exc.detail)]}) from None


# --- one-statement pages for the hot public reads -------------------------------------------------


@dataclass(frozen=True)
class Page:
    rows: list[tuple]
    count: int
    number: int
    size: int

    def body(self, request, results: list) -> dict:
        """`{count, next, previous, results}` with the links PageNumberPagination would give."""
        last = _num_pages(self.count, self.size)
        url = request.build_absolute_uri()
        nxt = replace_query_param(url, "page", self.number + 1) if self.number < last else None
        if self.number == 1:
            previous = None
        elif self.number == 2:
            previous = remove_query_param(url, "page")
        else:
            previous = replace_query_param(url, "page", self.number - 1)
        return {"count": self.count, "next": nxt, "previous": previous, "results": results}


def _num_pages(count: int, size: int) -> int:
    return max(1, math.ceil(count / size))


def _invalid_page() -> ValidationError:
    return ValidationError({"page": [INVALID_PAGE]})


def page_request(request) -> tuple[int | None, int]:
    """`?page=` and `?pageSize=` read exactly as PageNumberPagination reads them: (page number, or
    None for "last"; page size). A page that is not an integer >= 1 is a 400 on `page`; a page size
    that is not a positive integer falls back to the default, and is capped at MAX_PAGE_SIZE."""
    size = PAGE_SIZE
    raw_size = request.GET.get("pageSize")
    if raw_size is not None:
        try:
            wanted = int(raw_size)
        except ValueError:
            wanted = 0
        if wanted > 0:
            size = min(wanted, MAX_PAGE_SIZE)
    raw = request.GET.get("page") or "1"  # DRF reads an empty ?page= as the first page
    if raw == "last":
        return None, size
    try:
        number = int(raw)
    except ValueError:
        raise _invalid_page() from None
    if number < 1 or number > MAX_PAGE_NUMBER:
        raise _invalid_page()
    return number, size


def fetch_page(
    request, rows_for: Callable[[int, int], list[tuple]], *, exists: Callable[[], bool] | None = None
) -> Page:
    """One page and its total in one SQL statement, answered like PageNumberPagination.

    `rows_for(limit, offset)` runs the page query; each row ends with the total count of the
    unpaginated result (`count(*) OVER ()`, computed before LIMIT), which is dropped from the
    returned rows. A page past the last is a 400 on `page`, as in PageNumberPagination;
    `exists`, when given, runs only when a page came back empty, and turns it into a 404 (an
    unknown parent) before that.
    """
    number, size = page_request(request)
    if number is None:  # "last": the total first (any row carries it)
        probe = rows_for(1, 0)
        number = _num_pages(probe[0][-1] if probe else 0, size)
    rows = rows_for(size, (number - 1) * size)
    if rows:
        return Page([row[:-1] for row in rows], rows[0][-1], number, size)
    if exists is not None and not exists():
        raise Http404
    if number != 1:
        raise _invalid_page()
    return Page([], 0, 1, size)
