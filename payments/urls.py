from django.urls import path

from payments import api

urlpatterns = [
    path("payments/create", api.PaymentCreateApi.as_view(), name="payment-create"),
    path("payments/status/<str:qpay_invoice_id>", api.PaymentStatusApi.as_view(), name="payment-status"),
    path("payments/notify", api.PaymentNotifyApi.as_view(), name="payment-notify"),
]
