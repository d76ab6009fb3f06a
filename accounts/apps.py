from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import receivers
        from accounts.models import Tattooist
        from tattoo.core import images

        receivers.connect()
        # Public, like portfolio images; kept in the artist's avatar_* columns (tattoo/core/images.py).
        images.register_kind("avatars", model=Tattooist, private=False, field="avatar")
        from django.contrib import admin

        from accounts import schema  # noqa: F401  (registers the OpenAPI auth extension)

        # The Django admin admits staff only with a verified second factor (accounts/mfa.py); its
        # login form asks for the code and goes through the login service's lockout
        # (accounts/admin_login.py). Swapping the class keeps every registration on admin.site.
        from accounts.admin_login import StaffAdminLoginForm, StaffAdminSite

        admin.site.__class__ = StaffAdminSite
        admin.site.login_form = StaffAdminLoginForm
