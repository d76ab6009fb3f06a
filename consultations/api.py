"""Thin DRF views of custom work (docs/consultations.md). Who asks is settled before the body is
judged: an unknown id is 404, a stranger 403 whatever the body holds, then the body (400), then
the state (409), in the services."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCustomer, IsTattooist
from bookings.serializers import BookingSerializer
from consultations import selectors
from consultations.models import ConsultationStatus
from consultations.serializers import (
    ConsultationCreateSerializer,
    ConsultationDetailSerializer,
    ConsultationSerializer,
    DeclineSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    ProjectSerializer,
    QuoteAcceptedSerializer,
    QuoteAcceptSerializer,
    QuoteCreateSerializer,
    QuoteSerializer,
    SessionBookSerializer,
)
from consultations.services import projects as project_writes
from consultations.services import quotes as quote_writes
from consultations.services import requests as request_writes
from consultations.services.common import (
    consultation_for,
    project_for,
    quote_for,
    require_artist,
    require_project_party,
)


def _detail(request, consultation) -> Response:
    return Response(ConsultationDetailSerializer(selectors.consultation_detail(consultation=consultation)).data)


class ConsultationListCreateApi(generics.ListAPIView):
    serializer_class = ConsultationSerializer
    extra_error_codes = (503,)

    def get_permissions(self):
        return [IsCustomer()] if self.request.method == "POST" else super().get_permissions()

    def get_queryset(self):
        return selectors.consultation_list_for(user=self.request.user, status=self.request.query_params.get("status"))

    @extend_schema(
        operation_id="consultations_list",
        summary="Requests: a customer's own, those sent to a tattooist, all for staff; newest first",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=ConsultationStatus.values)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ConsultationCreateSerializer,
        responses={201: ConsultationDetailSerializer},
        operation_id="consultations_create",
        summary="A verified customer asks an artist for custom work",
        description="409 `requests_closed` (the artist takes direct bookings only), `too_many_requests` (a "
        "fourth open request); 400 `underage` (under 18 that day, in the artist's zone). At most "
        "CONSULTATION_CREATE_RATE (10/hour) per user, else 429 `rate_limited`.",
    )
    def post(self, request):
        refusal = request_writes.consultation_create_refusal(customer=request.user)
        if refusal is not None:
            raise refusal  # an unverified address, before the body is judged
        data = ConsultationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = request_writes.consultation_create(customer=request.user, **data.validated_data)
        return Response(
            ConsultationDetailSerializer(selectors.consultation_detail(consultation=consultation)).data,
            status=status.HTTP_201_CREATED,
        )


class ConsultationDetailApi(APIView):
    @extend_schema(
        responses={200: ConsultationDetailSerializer},
        operation_id="consultations_retrieve",
        summary="One request with its photos, messages and quotes (its parties and staff)",
    )
    def get(self, request, pk: int):
        return _detail(request, consultation_for(user=request.user, consultation_id=pk))


class ConsultationMessageApi(APIView):
    extra_error_codes = (503,)

    @extend_schema(
        request=MessageCreateSerializer,
        responses={201: MessageSerializer},
        operation_id="consultations_messages_create",
        summary="A message in the request's thread (its parties); the other party is mailed",
    )
    def post(self, request, pk: int):
        consultation_for(user=request.user, consultation_id=pk)  # who asks, before the body
        data = MessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = request_writes.consultation_message_create(
            user=request.user, consultation_id=pk, **data.validated_data
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class ConsultationWithdrawApi(APIView):
    @extend_schema(
        request=None,
        responses={200: ConsultationDetailSerializer},
        operation_id="consultations_withdraw",
        summary="The customer withdraws the request (an open quote closes with it)",
    )
    def post(self, request, pk: int):
        consultation = request_writes.consultation_withdraw(user=request.user, consultation_id=pk)
        return _detail(request, consultation)


class ConsultationDeclineApi(APIView):
    @extend_schema(
        request=DeclineSerializer,
        responses={200: ConsultationDetailSerializer},
        operation_id="consultations_decline",
        summary="The artist declines the request, with a reason the customer is mailed",
    )
    def post(self, request, pk: int):
        require_artist(consultation_for(user=request.user, consultation_id=pk), request.user)
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = request_writes.consultation_decline(user=request.user, consultation_id=pk, **data.validated_data)
        return _detail(request, consultation)


class QuoteCreateApi(APIView):
    permission_classes = [IsTattooist]

    @extend_schema(
        request=QuoteCreateSerializer,
        responses={201: QuoteSerializer},
        operation_id="consultations_quotes_create",
        summary="The artist's quote: an earlier open quote is superseded; it expires on its own",
        description="Each proposed start must be bookable for sessionMinutes (400 `slot_not_bookable`). The quote "
        "expires at expiresAt (default 72 hours, at most 14 days) by a job, both parties mailed.",
    )
    def post(self, request, pk: int):
        consultation = consultation_for(user=request.user, consultation_id=pk)
        refusal = quote_writes.quote_create_refusal(consultation=consultation, user=request.user)
        if refusal is not None and refusal.status_code == 403:
            raise refusal  # before the body
        data = QuoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quote = quote_writes.quote_create(user=request.user, consultation_id=pk, **data.validated_data)
        return Response(QuoteSerializer(quote).data, status=status.HTTP_201_CREATED)


def _quote_customer(request, pk: int):
    quote = quote_for(quote_id=pk)
    quote_writes.require_customer(quote, request.user)  # who asks, before the body
    return quote


class QuoteAcceptApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        request=QuoteAcceptSerializer,
        responses={201: QuoteAcceptedSerializer},
        operation_id="quotes_accept",
        summary="The customer accepts at one proposed start: the project and its first session, an unpaid hold",
        description="The hold has the quote's sessionMinutes and depositAmount and is paid like any booking "
        "(POST /api/payments/create). 409 `quote_expired` past expiresAt, `quote_closed` when not open, "
        "`slot_taken` when the time went to someone else; 400 `not_proposed`.",
    )
    def post(self, request, pk: int):
        _quote_customer(request, pk)
        data = QuoteAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project, booking = quote_writes.quote_accept(user=request.user, quote_id=pk, slot=data.validated_data["slot"])
        body = {"project": selectors.project_detail(project=project), "booking": booking}
        return Response(QuoteAcceptedSerializer(body).data, status=status.HTTP_201_CREATED)


class QuoteDeclineApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        request=None,
        responses={200: QuoteSerializer},
        operation_id="quotes_decline",
        summary="The customer declines the quote; the request waits for the artist again",
    )
    def post(self, request, pk: int):
        _quote_customer(request, pk)
        return Response(QuoteSerializer(quote_writes.quote_decline(user=request.user, quote_id=pk)).data)


class ProjectDetailApi(APIView):
    @extend_schema(
        responses={200: ProjectSerializer},
        operation_id="projects_retrieve",
        summary="A project and its sessions (its parties and staff)",
    )
    def get(self, request, pk: int):
        project = project_for(user=request.user, project_id=pk)
        return Response(ProjectSerializer(selectors.project_detail(project=project)).data)


class ProjectSessionApi(APIView):
    @extend_schema(
        request=SessionBookSerializer,
        responses={201: BookingSerializer},
        operation_id="projects_sessions_create",
        summary="Book the project's next session (its parties): confirmed, no new deposit",
        description="409 `too_soon_to_heal` (less than the artist's healDays after the previous session ends, "
        "on the artist's calendar), `sessions_used`, `deposit_unpaid`, `project_closed`, `slot_taken`.",
    )
    def post(self, request, pk: int):
        require_project_party(project_for(user=request.user, project_id=pk), request.user)
        data = SessionBookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = project_writes.project_session_book(
            user=request.user, project_id=pk, slot=data.validated_data["slot"]
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class ProjectCancelApi(APIView):
    @extend_schema(
        request=None,
        responses={200: ProjectSerializer},
        operation_id="projects_cancel",
        summary="Cancel the project (its parties, staff): its booked sessions are cancelled",
        description='The deposit follows the policy of the session in force (docs/deposits.md, "Projects").',
    )
    def post(self, request, pk: int):
        project = project_writes.project_cancel(user=request.user, project_id=pk)
        return Response(ProjectSerializer(selectors.project_detail(project=project)).data)
