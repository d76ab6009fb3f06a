from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin
        from django_otp.admin import OTPAdminSite

        from accounts import schema  # noqa: F401  (registers the OpenAPI auth extension)

        # The Django admin admits staff only with a verified second factor (accounts/mfa.py); its
        # login form asks for the code. Swapping the class keeps every registration on admin.site.
        from accounts.mfa import StaffAdminLoginForm

        admin.site.__class__ = OTPAdminSite
        admin.site.login_form = StaffAdminLoginForm
