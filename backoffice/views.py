"""The back office's pages inside the Django admin: the weekly report, the trust report, the custom
work report and the daily deposit ledger. Staff only: backoffice/urls.py wraps each in the admin
site's `admin_view` (a non-staff visitor is sent to the admin's login). They only read; the admin
index (backoffice/admin.py) links them."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from backoffice import selectors
from consultations.selectors import RESPONSE_MIN_ANSWERS, conversion_report
from tattoo.core import l10n

ZERO = Decimal("0.00")


def weekly_report_view(request):
    rows = selectors.weekly_report(weeks=12)
    context = {
        **admin.site.each_context(request),
        "title": _("Weekly report (last 12 weeks, UTC, weeks start Monday)"),
        "rows": rows,
        "totals": {
            "bookings": sum(r.bookings for r in rows),
            "deposits": sum((r.deposits for r in rows), Decimal("0.00")),
            "refunds": sum((r.refunds for r in rows), Decimal("0.00")),
            "net": sum((r.net for r in rows), Decimal("0.00")),
        },
        "bookings_chart": _bar_chart(rows, [("bookings", "#417690", _("bookings"))], money=False),
        "money_chart": _bar_chart(
            rows, [("deposits", "#2e7d32", _("deposits collected")), ("refunds", "#c62828", _("refunds"))], money=True
        ),
    }
    return TemplateResponse(request, "admin/inkbook/report.html", context)


def trust_report_view(request):
    rows, total = selectors.trust_report(weeks=12)
    context = {
        **admin.site.each_context(request),
        "title": _("Trust report (last 12 weeks, by the week the session started, UTC)"),
        "rows": rows,
        "total": total,
        "healed_days": settings.HEALED_PHOTO_DAYS,
    }
    return TemplateResponse(request, "admin/inkbook/trust_report.html", context)


def consultation_report_view(request):
    rows = conversion_report()
    context = {
        **admin.site.each_context(request),
        "title": _("Custom work: answers and deposits (last 90 days)"),
        "rows": rows,
        "min_answers": RESPONSE_MIN_ANSWERS,
    }
    return TemplateResponse(request, "admin/inkbook/consultation_report.html", context)


def ledger_report_view(request):
    report = selectors.ledger_report(days=14)
    context = {
        **admin.site.each_context(request),
        "title": _("Deposit ledger, per day (last 14 days, UTC)"),
        **report,
        "totals": {
            key: sum((r[key] for r in report["rows"]), ZERO) for key in ("paid", "refunded", "kept", "refunds_recorded")
        },
    }
    return TemplateResponse(request, "admin/inkbook/ledger_report.html", context)


def _bar_chart(rows, series: list[tuple], *, money: bool, width: int = 760, height: int = 220) -> dict:
    """Geometry for a server-rendered SVG bar chart (attributes only: the CSP forbids inline styles).
    `series` is (row attribute, colour, translated name); amounts are written as l10n.money, counts
    as l10n.number, the weeks as l10n.short_date."""
    top, bottom, left = 20, 30, 10
    plot_h = height - top - bottom
    group_w = (width - left) / len(rows)
    bar_w = (group_w - 12) / len(series)
    peak = max((getattr(r, key) for r in rows for key, _colour, _name in series), default=0) or 1
    shown = l10n.money if money else l10n.number
    bars, labels = [], []
    for i, row in enumerate(rows):
        x0 = left + i * group_w + 6
        week = l10n.short_date(row.week, UTC)
        for j, (key, colour, name) in enumerate(series):
            value = getattr(row, key)
            h = round(float(value) / float(peak) * plot_h, 1)
            bars.append(
                {
                    "x": _num(x0 + j * bar_w),
                    "y": _num(top + plot_h - h),
                    "w": _num(bar_w - 2),
                    "h": _num(h),
                    "fill": colour,
                    "title": _("week of %(week)s: %(series)s %(value)s")
                    % {"week": week, "series": name, "value": shown(value)},
                }
            )
        labels.append({"x": _num(x0 + (group_w - 12) / 2), "y": height - 10, "text": week})
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "peak": peak,
        "peak_label": shown(peak),
        "axis_y": top + plot_h,
        "legend": [
            {"name": name, "fill": colour, "x": 120 + k * 160, "text_x": 134 + k * 160}
            for k, (_key, colour, name) in enumerate(series)
        ],
    }


def _num(value: float) -> str:
    # Formatted here, not in the template, so no locale turns the decimal point into a comma.
    return f"{value:.1f}"
