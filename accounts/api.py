from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, throttling
from accounts.serializers import (
    AcceptedSerializer,
    AuthResultSerializer,
    LoginSerializer,
    MeUpdateSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    RefreshSerializer,
    SignupSerializer,
    TokenPairSerializer,
    TokenSerializer,
    UserSerializer,
)
from accounts.tokens import tokens_for_user


class CredentialsEndpoint(APIView):
    """Login-style endpoints: they read credentials from the body, never from a stale header,
    and still answer 401 (with a challenge) when those credentials are wrong."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class SignupApi(CredentialsEndpoint):
    @extend_schema(request=SignupSerializer, responses={201: AuthResultSerializer}, operation_id="auth_signup")
    def post(self, request):
        services.signup_throttle(request=request)
        data = SignupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_signup(**data.validated_data)
        return Response({"user": UserSerializer(user).data, **tokens_for_user(user)}, status=status.HTTP_201_CREATED)


class LoginApi(CredentialsEndpoint):
    extra_error_codes = (401,)

    @extend_schema(request=LoginSerializer, responses={200: AuthResultSerializer}, operation_id="auth_login")
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.user_login(request=request, **data.validated_data)
        tokens = tokens_for_user(result.user, otp_verified=result.otp_device is not None)
        return Response({"user": UserSerializer(result.user).data, **tokens})


class RefreshApi(CredentialsEndpoint):
    extra_error_codes = (401,)

    @extend_schema(request=RefreshSerializer, responses={200: TokenPairSerializer}, operation_id="auth_refresh")
    def post(self, request):
        data = RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.token_refresh(raw_refresh=data.validated_data["refresh"]))


class LogoutApi(APIView):
    @extend_schema(request=RefreshSerializer, responses={205: None}, operation_id="auth_logout")
    def post(self, request):
        data = RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.token_logout(user=request.user, raw_refresh=data.validated_data["refresh"])
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeApi(APIView):
    @extend_schema(responses={200: UserSerializer}, operation_id="auth_me")
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=MeUpdateSerializer, responses={200: UserSerializer}, operation_id="auth_me_update")
    def patch(self, request):
        data = MeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, **data.validated_data)
        return Response(UserSerializer(user).data)


class VerifyEmailApi(CredentialsEndpoint):
    @extend_schema(request=TokenSerializer, responses={200: UserSerializer}, operation_id="auth_verify_email")
    def post(self, request):
        data = TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(UserSerializer(services.email_verify(**data.validated_data)).data)


class VerifyEmailResendApi(APIView):
    extra_error_codes = (429,)

    @extend_schema(request=None, responses={202: AcceptedSerializer}, operation_id="auth_verify_email_resend")
    def post(self, request):
        sent = services.email_verify_resend(user=request.user, request=request)
        detail = _("A new link is on its way.") if sent else _("Your address is already verified.")
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class PasswordResetApi(CredentialsEndpoint):
    extra_error_codes = (429,)

    @extend_schema(
        request=PasswordResetSerializer, responses={202: AcceptedSerializer}, operation_id="auth_password_reset"
    )
    def post(self, request):
        data = PasswordResetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(request=request, **data.validated_data)
        return Response(
            {"detail": _("If the address has an account, a reset link is on its way.")}, status=status.HTTP_202_ACCEPTED
        )


class PasswordResetConfirmApi(CredentialsEndpoint):
    @extend_schema(
        request=PasswordResetConfirmSerializer,
        responses={200: AcceptedSerializer},
        operation_id="auth_password_reset_confirm",
    )
    def post(self, request):
        data = PasswordResetConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_confirm(**data.validated_data)
        return Response({"detail": _("Your password has been changed. Log in with it.")})


class PasswordChangeApi(APIView):
    @extend_schema(
        request=PasswordChangeSerializer,
        responses={204: None},
        operation_id="auth_password_change",
        description="A wrong `currentPassword` counts as a failed login of the account and the client address "
        "(the login's counters): while locked → 429 `throttled`, before the password is checked.",
    )
    def post(self, request):
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_change_password(
            user=request.user, address=throttling.client_address(request), **data.validated_data
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
