from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import receivers
        from accounts.profile import avatar_keys_in_use
        from tattoo.core import uploads

        receivers.connect()
        uploads.register_key_holder(avatar_keys_in_use)
        from django.contrib import admin

        from accounts import schema  # noqa: F401  (registers the OpenAPI auth extension)

        # The Django admin admits staff only with a verified second factor (accounts/mfa.py); its
        # login form asks for the code and goes through the login service's lockout
        # (accounts/admin_login.py). Swapping the class keeps every registration on admin.site.
        from accounts.admin_login import StaffAdminLoginForm, StaffAdminSite

        admin.site.__class__ = StaffAdminSite
        admin.site.login_form = StaffAdminLoginForm
