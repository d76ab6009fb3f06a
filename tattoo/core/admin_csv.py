"""CSV export for admin changelists: the filtered list as the staff member sees it (button) or
the selected rows (action)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Spreadsheet apps run cells that start with these as formulas (names and notes are user input).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# A column: its header and how to read it from a row. Any: each admin reads rows of its own model.
Column = tuple[str, Callable[[Any], object]]

if TYPE_CHECKING:
    # The mixin is only ever used before admin.ModelAdmin (of any model) in a class's bases.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal | int | float | bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(columns: list[Column], rows: Iterable[Model]) -> Iterable[list[str]]:
    yield [header for header, _ in columns]
    for row in rows:
        yield [_cell(getter(row)) for _, getter in columns]


class CsvExportMixin(_ModelAdmin):
    """Adds `<changelist>/export.csv` (keeps the changelist's filters and search) and an action.

    Subclasses set `csv_columns = [(header, getter), ...]` and `csv_filename`.
    """

    csv_columns: list[Column] = []
    csv_filename = "export"
    change_list_template = "admin/inkbook/csv_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_export_csv"
        return [
            path("export.csv", self.admin_site.admin_view(self.export_csv_view), name=name),
            *super().get_urls(),
        ]

    def _csv_response(self, queryset: QuerySet[Model]) -> StreamingHttpResponse:
        writer = csv.writer(_Echo())
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response = StreamingHttpResponse(
            (writer.writerow(r) for r in csv_rows(self.csv_columns, queryset.iterator(chunk_size=500))),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}-{stamp}.csv"'
        return response

    def export_csv_view(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("Unknown filter in the query string."))
        # The changelist's own queryset: same filters, search and ordering the page showed.
        return self._csv_response(changelist.get_queryset(request))

    @admin.action(description=gettext_lazy("Export selected rows as CSV"))
    def export_selected_csv(self, request: HttpRequest, queryset: QuerySet[Model]) -> StreamingHttpResponse:
        return self._csv_response(queryset)
