"""Staff API (role admin) and the parties' dispute route. Thin: validate, call a service or
selector, serialize."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as account_services
from accounts.models import Tattooist, User
from accounts.permissions import IsAdmin
from bookings.models import BookingStatus
from bookings.selectors import booking_authorize_named
from disputes import selectors, services
from disputes.models import Dispute
from disputes.serializers import (
    AdminBookingPageSerializer,
    AdminBookingQuerySerializer,
    AdminBookingSerializer,
    AdminDisputeCreateSerializer,
    AdminTattooistSerializer,
    AdminTransactionPageSerializer,
    AdminTransactionQuerySerializer,
    AdminTransactionSerializer,
    ApproveSerializer,
    BookingTotalsSerializer,
    DisputeCreateSerializer,
    DisputeResolveSerializer,
    DisputeSerializer,
    TransactionTotalsSerializer,
)
from payments.models import RefundState, TransactionStatus
from tattoo.core.errors import ApplicationError
from tattoo.core.pagination import PageNumberPagination

_PAGE_PARAMS = [
    OpenApiParameter("page", int, description="1-based page number."),
    OpenApiParameter("pageSize", int, description="Rows per page, at most 100 (default 20)."),
]


def _range_params(on: str) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "from", OpenApiTypes.DATETIME, description=f"Only rows whose {on} is at or after this time (with offset)."
        ),
        OpenApiParameter(
            "to", OpenApiTypes.DATETIME, description=f"Only rows whose {on} is before this time (with offset)."
        ),
    ]


class _TotalsListApi(APIView):
    """A paginated admin list whose body also carries totals over the whole filtered set."""

    permission_classes = [IsAdmin]
    query_serializer_class: type
    item_serializer_class: type

    def filtered(self, params: dict):
        raise NotImplementedError

    def totals(self, qs) -> dict:
        raise NotImplementedError

    def get(self, request):
        # `?status=` with nothing after it means "no filter", as in the contract's own examples.
        query = self.query_serializer_class(data={k: v for k, v in request.query_params.items() if v != ""})
        query.is_valid(raise_exception=True)
        params = {k: v for k, v in query.validated_data.items() if k not in ("page", "page_size")}
        qs = self.filtered(params)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        response = paginator.get_paginated_response(self.item_serializer_class(page, many=True).data)
        response.data["totals"] = self.totals(qs)
        return response


class AdminBookingListApi(_TotalsListApi):
    query_serializer_class = AdminBookingQuerySerializer
    item_serializer_class = AdminBookingSerializer

    def filtered(self, params):
        return selectors.admin_booking_list(**params)

    def totals(self, qs):
        return BookingTotalsSerializer(selectors.booking_totals(qs)).data

    @extend_schema(
        operation_id="admin_bookings_list",
        parameters=[
            OpenApiParameter("status", str, enum=BookingStatus.values),
            *_range_params("slot (session start)"),
            OpenApiParameter("tattooistId", int, description="Only this artist's bookings."),
            *_PAGE_PARAMS,
        ],
        responses={200: AdminBookingPageSerializer},
        description="Every booking, newest first (created time, then id). Filters combine; totals cover the "
        "whole filtered set.",
    )
    def get(self, request):
        return super().get(request)


class AdminTransactionListApi(_TotalsListApi):
    query_serializer_class = AdminTransactionQuerySerializer
    item_serializer_class = AdminTransactionSerializer

    def filtered(self, params):
        return selectors.admin_transaction_list(**params)

    def totals(self, qs):
        return TransactionTotalsSerializer(selectors.transaction_totals(qs)).data

    @extend_schema(
        operation_id="admin_transactions_list",
        parameters=[
            OpenApiParameter("status", str, enum=TransactionStatus.values),
            *_range_params("creation time"),
            OpenApiParameter(
                "refundState",
                str,
                enum=[v for v in RefundState.values if v],
                description="`manual_required` is the queue of refunds staff must make by hand.",
            ),
            *_PAGE_PARAMS,
        ],
        responses={200: AdminTransactionPageSerializer},
        description="Every transaction, newest first (created time, then id). Totals cover the whole filtered set.",
    )
    def get(self, request):
        return super().get(request)


class AdminTattooistApproveApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="admin_tattooist_approve",
        request=ApproveSerializer,
        responses={200: AdminTattooistSerializer},
        description="Approve (`approved: true`) or unapprove an artist. Unapproved artists vanish from public "
        "reads and cannot be booked; unapproving clears `approvedAt`.",
    )
    def patch(self, request, tattooist_id: int):
        artist = get_object_or_404(Tattooist, pk=tattooist_id)
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        artist = account_services.tattooist_set_approval(
            tattooist_id=artist.pk, actor=request.user, **data.validated_data
        )
        return Response(AdminTattooistSerializer(artist).data)


class AdminDisputeCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="admin_disputes_create",
        request=AdminDisputeCreateSerializer,
        responses={201: DisputeSerializer},
        description="Open a dispute on a booking for its customer, its artist or staff (`initiatorId`). The "
        "booking becomes `disputed`. Only a confirmed, completed or no-show booking: an unpaid hold → 409 "
        "`not_disputable`. A second open dispute on one booking → 409 `dispute_open`; unknown booking → 404.",
    )
    def post(self, request):
        data = AdminDisputeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        initiator = User.objects.filter(pk=data.validated_data["initiator_id"]).first()
        if initiator is None:
            raise ApplicationError(
                _("No such user."), code="invalid_initiator", fields={"initiatorId": [_("No user with this id.")]}
            )
        dispute = services.dispute_open(  # an unknown booking: NotFoundError, 404
            booking_id=data.validated_data["booking_id"],
            initiator=initiator,
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


class AdminDisputeResolveApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="admin_disputes_resolve",
        request=DisputeResolveSerializer,
        responses={200: DisputeSerializer},
        description="Resolve an open dispute in one transaction: the booking moves to `bookingStatus`, an "
        "optional refund goes through the deposit ledger (docs/deposits.md): per payment row, from what the "
        "booking holds and then from what the artist kept; a whole card payment back through QPay (a job), "
        "anything else to the manual queue (`refundState` `manual_required` until it is made). With "
        "`completed` or `cancelled` the artist keeps the rest. More than can still be refunded → 400; an "
        "already resolved dispute → 409.",
    )
    def patch(self, request, dispute_id: int):
        dispute = get_object_or_404(Dispute, pk=dispute_id)
        data = DisputeResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = services.dispute_resolve(dispute_id=dispute.pk, actor=request.user, **data.validated_data)
        return Response(DisputeSerializer(dispute).data)


class DisputeCreateApi(APIView):
    @extend_schema(
        operation_id="disputes_create",
        request=DisputeCreateSerializer,
        responses={201: DisputeSerializer},
        description="The booking's customer or artist opens a dispute on it; staff resolve it. Anyone else → "
        "403; unknown booking → 404; an unpaid hold → 409 `not_disputable`; an open dispute already → 409 "
        "`dispute_open`.",
    )
    def post(self, request):
        booking_authorize_named(user=request.user, data=request.data)  # who asks, before the body
        data = DisputeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = services.dispute_open_by_party(  # an unknown booking: NotFoundError, 404
            booking_id=data.validated_data["booking_id"], user=request.user, reason=data.validated_data["reason"]
        )
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)
