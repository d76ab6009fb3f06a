"""The reports, mounted at /admin/reports/ by tattoo/urls.py (before the admin's own URLs, whose
`<app_label>/` pattern would otherwise take them). `admin_view`: staff only, as every admin page (a
signed-in non-staff user is sent to the admin's login)."""

from django.contrib import admin
from django.urls import path

from backoffice import views

urlpatterns = [
    path("", admin.site.admin_view(views.weekly_report_view), name="admin-reports"),
    path("ledger/", admin.site.admin_view(views.ledger_report_view), name="admin-ledger-report"),
    path("trust/", admin.site.admin_view(views.trust_report_view), name="admin-trust-report"),
    path("consultations/", admin.site.admin_view(views.consultation_report_view), name="admin-consultation-report"),
]
