from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/signup", api.SignupApi.as_view(), name="api-signup"),
    path("auth/login", api.LoginApi.as_view(), name="api-login"),
    path("auth/refresh", api.RefreshApi.as_view(), name="api-refresh"),
    path("auth/logout", api.LogoutApi.as_view(), name="api-logout"),
    path("auth/me", api.MeApi.as_view(), name="api-me"),
    path("auth/password", api.PasswordChangeApi.as_view(), name="api-password"),
    path("auth/verify-email", api.VerifyEmailApi.as_view(), name="api-verify-email"),
    path("auth/verify-email/resend", api.VerifyEmailResendApi.as_view(), name="api-verify-email-resend"),
    path("auth/password/reset", api.PasswordResetApi.as_view(), name="api-password-reset"),
    path("auth/password/reset/confirm", api.PasswordResetConfirmApi.as_view(), name="api-password-reset-confirm"),
]
