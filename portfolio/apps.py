from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portfolio import receivers
        from portfolio.models import PortfolioItem
        from tattoo.core import images

        receivers.connect()
        # Public: sanitised copies and variants in the public bucket (tattoo/core/images.py).
        images.register_kind("portfolio", model=PortfolioItem, private=False)
