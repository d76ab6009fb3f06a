from django.urls import path

from disputes import api

urlpatterns = [
    path(
        "admin/tattooist/<int:tattooist_id>/approve",
        api.AdminTattooistApproveApi.as_view(),
        name="api-admin-tattooist-approve",
    ),
    path("admin/bookings", api.AdminBookingListApi.as_view(), name="api-admin-bookings"),
    path("admin/transactions", api.AdminTransactionListApi.as_view(), name="api-admin-transactions"),
    path("admin/disputes", api.AdminDisputeCreateApi.as_view(), name="api-admin-disputes"),
    path("admin/disputes/<int:dispute_id>", api.AdminDisputeResolveApi.as_view(), name="api-admin-dispute"),
    path("disputes", api.DisputeCreateApi.as_view(), name="api-disputes"),
]
