from __future__ import annotations

import hashlib
import json
import logging

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

import qpay_signing as signing
from accounts.permissions import IsCustomer
from bookings.selectors import booking_authorize_named
from payments.selectors import transaction_for_party
from payments.serializers import (
    NotificationSerializer,
    NotifyResultSerializer,
    PaymentCreateInputSerializer,
    PaymentSerializer,
    PaymentStatusSerializer,
)
from payments.services.checks import payment_status_recheck_if_due
from payments.services.invoices import payment_create
from payments.services.verdict import payment_notification_apply
from tattoo.core.errors import error_body
from tattoo.core.idempotency import SCHEMA_PARAMETER as IDEMPOTENCY_KEY
from tattoo.core.idempotency import SCHEMA_RESPONSES as IDEMPOTENCY_RESPONSES
from tattoo.core.idempotency import idempotent

security_log = logging.getLogger("inkbook.security")


class PaymentCreateApi(APIView):
    permission_classes = [IsCustomer]
    extra_error_codes = (503,)

    @extend_schema(
        request=PaymentCreateInputSerializer,
        responses={201: PaymentSerializer, 200: PaymentSerializer, **IDEMPOTENCY_RESPONSES},
        parameters=[IDEMPOTENCY_KEY],
        summary="Create (or return the open) QPay invoice for a booking's deposit",
        description="Its customer only. At most PAYMENT_CREATE_RATE (30/hour) per user, else 429 `rate_limited` "
        'with Retry-After (docs/api.md, "Rates").',
    )
    @idempotent
    def post(self, request):
        booking_authorize_named(user=request.user, data=request.data)  # who asks, before the body
        data = PaymentCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        txn, created = payment_create(user=request.user, booking_id=data.validated_data["booking_id"])
        return Response(PaymentSerializer(txn).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PaymentStatusApi(APIView):
    @extend_schema(responses={200: PaymentStatusSerializer}, summary="A deposit payment's status")
    def get(self, request, qpay_invoice_id: str):
        txn = transaction_for_party(user=request.user, qpay_invoice_id=qpay_invoice_id)
        if payment_status_recheck_if_due(transaction_id=txn.pk) is not None:
            txn = transaction_for_party(user=request.user, qpay_invoice_id=qpay_invoice_id)
        booking = txn.booking
        return Response(
            PaymentStatusSerializer(
                {
                    "qpay_invoice_id": txn.qpay_invoice_id,
                    "status": txn.status,
                    "amount": txn.amount,
                    "paid_amount": txn.paid_amount,
                    "paid_at": txn.paid_at,
                    "booking_id": booking.pk,
                    "booking_status": booking.status,
                    "payment_status": booking.payment_status,
                }
            ).data
        )


class CacheReplayGuard:
    """Notification ids already accepted, in the shared cache (Redis outside DEBUG, so every web
    process sees them) for the replay window (qpay_signing/__init__.py, docs/security.md)."""

    def first_seen(self, msg_id: str) -> bool:
        key = "worker-msg:" + hashlib.sha256(msg_id.encode()).hexdigest()
        return cache.add(key, 1, timeout=signing.REPLAY_WINDOW_SECONDS)


class PaymentNotifyApi(APIView):
    """The worker's signed payment verdict. The signature is checked over the raw bytes before
    anything parses them; a bad one answers 401 and writes nothing."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    extra_error_codes = (401, 503)

    @extend_schema(
        request=NotificationSerializer,
        responses={200: NotifyResultSerializer, 404: OpenApiResponse(description="Unknown invoice")},
        summary="Payment notification from the QPay worker (HMAC-signed)",
        auth=[],
    )
    def post(self, request):
        raw = request._request.body
        try:
            signing.verify(
                raw,
                signing.wsgi_headers(request.META),
                settings.WORKER_TO_WEB_SECRETS,
                direction=signing.TO_WEB,
                method=request.method,
                path=request.path,
                replay_guard=CacheReplayGuard(),
            )
        except signing.SignatureError as exc:
            security_log.warning("refused payment notification: %s", exc)
            return Response(
                error_body("bad_signature", "Signature missing or invalid."), status=status.HTTP_401_UNAUTHORIZED
            )
        try:
            payload = json.loads(raw)
        except ValueError:
            return Response(error_body("parse_error", "Body is not JSON."), status=status.HTTP_400_BAD_REQUEST)
        result = payment_notification_apply(payload=payload)
        return Response({"result": result})
