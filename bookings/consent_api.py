"""POST/GET /api/bookings/{id}/consent: the signed consent form (bookings/consent.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import NAME_PATTERN
from bookings import consent
from bookings.selectors import booking_get_for
from tattoo.core.errors import NotAllowedError, NotFoundError
from tattoo.core.schema import documented


class ConsentAnswersSerializer(serializers.Serializer):
    pregnant_or_nursing = serializers.BooleanField()
    blood_thinners = serializers.BooleanField()
    skin_condition = serializers.BooleanField()
    diabetes = serializers.BooleanField()
    heart_condition = serializers.BooleanField()
    epilepsy = serializers.BooleanField()
    allergies = serializers.CharField(
        max_length=consent.ANSWER_TEXT_MAX, required=False, allow_blank=True, default="", help_text="Empty: none."
    )
    medications = serializers.CharField(
        max_length=consent.ANSWER_TEXT_MAX, required=False, allow_blank=True, default="", help_text="Empty: none."
    )
    notes = serializers.CharField(max_length=consent.NOTES_MAX, required=False, allow_blank=True, default="")


class ConsentSignSerializer(serializers.Serializer):
    date_of_birth = serializers.DateField(
        help_text="18 or older on the session's day (the artist's clock): else 400 `underage`."
    )
    answers = ConsentAnswersSerializer()
    signature = documented(
        serializers.CharField(max_length=120, help_text="The customer's full name, typed."),
        type="string",
        minLength=1,
        maxLength=120,
        pattern=NAME_PATTERN,
    )
    agree = serializers.BooleanField(help_text="Must be true.")


def answers_out(answers: dict) -> dict:
    """The stored answers (camelCase, as sealed) for the response."""
    return {name: answers.get(name) for name in (*consent.FLAG_NAMES, "notes")}


class ConsentSerializer(serializers.Serializer):
    signed_at = serializers.DateTimeField()
    date_of_birth = serializers.DateField(allow_null=True, help_text="null for staff: they see only that it exists.")
    answers = serializers.DictField(allow_null=True, help_text="null for staff.")
    signature = serializers.CharField(allow_null=True, help_text="null for staff.")
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=list(consent.FLAG_NAMES)),
        allow_null=True,
        help_text="The answers the artist must look at: each question answered yes, an allergy or a medicine "
        "named. null for staff.",
    )


def consent_data(view: consent.ConsentView) -> dict:
    form = view.form
    return ConsentSerializer(
        {
            "signed_at": view.record.signed_at,
            "date_of_birth": form.date_of_birth if form else None,
            "answers": answers_out(form.answers) if form else None,
            "signature": form.signature if form else None,
            "flags": form.flags if form else None,
        }
    ).data


class BookingConsentApi(APIView):
    extra_error_codes = (409,)

    @extend_schema(
        request=ConsentSignSerializer,
        responses={201: ConsentSerializer},
        operation_id="bookings_consent_sign",
        summary="The booking's customer signs its consent form",
        description="Only the booking's customer (403 otherwise), while it is pending or confirmed (409 "
        "`not_signable`), once (409 `already_signed`). Under 18 on the session's day → 400 `underage`. The "
        "answers are stored encrypted; the answer gives back `signedAt` and `flags` with the rest of the form.",
    )
    def post(self, request, pk: int):
        booking = booking_get_for(user=request.user, booking_id=pk)  # who asks, before the body
        refusal = consent.consent_sign_refusal(booking=booking, user=request.user)
        if isinstance(refusal, NotAllowedError):  # the state (409s) is judged under the row lock
            raise refusal
        data = ConsentSignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        record, form = consent.consent_sign(
            booking_id=pk,
            user=request.user,
            date_of_birth=values["date_of_birth"],
            answers={consent._camel(name): value for name, value in values["answers"].items()},
            signature=values["signature"],
            agree=values["agree"],
        )
        return Response(consent_data(consent.ConsentView(record=record, form=form)), status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: ConsentSerializer},
        operation_id="bookings_consent_retrieve",
        summary="The booking's signed consent form",
        description="Its customer and its artist read the answers; staff see only that it exists (the answers "
        "are null); anyone else 403. Not signed yet → 404 `consent_missing`.",
    )
    def get(self, request, pk: int):
        view = consent.consent_for(booking_id=pk, user=request.user)
        if view.record is None:
            raise NotFoundError(_("The consent form of this booking is not signed yet."), code="consent_missing")
        return Response(consent_data(view))
