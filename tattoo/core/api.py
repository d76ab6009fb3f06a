from __future__ import annotations

from dataclasses import asdict

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from tattoo.core import uploads
from tattoo.core.errors import ApplicationError
from tattoo.core.serializers import PresignedUploadSerializer, UploadPresignSerializer


class PresignRateThrottle(UserRateThrottle):
    """Per user: every URL lets its holder store up to UPLOAD_MAX_BYTES in the bucket."""

    scope = "upload_presign"

    def get_rate(self) -> str:
        return settings.UPLOAD_PRESIGN_RATE


class UploadPresignApi(APIView):
    throttle_classes = [PresignRateThrottle]

    @extend_schema(
        request=UploadPresignSerializer,
        responses={200: PresignedUploadSerializer},
        operation_id="upload_presign",
        summary="Sign a direct-to-bucket PUT for one image",
    )
    def post(self, request: Request) -> Response:
        user = request.user
        if isinstance(user, AnonymousUser):  # never: IsAuthenticated, the default permission, ran first
            raise NotAuthenticated()
        data = UploadPresignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        signed = uploads.presign_upload(user=user, **data.validated_data)
        return Response(PresignedUploadSerializer(asdict(signed)).data)


def query_text(request: HttpRequest | Request, name: str, max_length: int = 100) -> str | None:
    """A free-text query parameter, refused (400) when PostgreSQL could not take it."""
    value: str | None = request.GET.get(name)
    if value is None:
        return None
    if "\x00" in value or len(value) > max_length:
        raise ApplicationError(
            _("`%(name)s` is not a usable search text.") % {"name": name},
            code="invalid",
            fields={name: [_("At most %(max_length)s characters, no NUL.") % {"max_length": max_length}]},
        )
    return value
