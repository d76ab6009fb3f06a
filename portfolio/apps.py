from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portfolio import receivers
        from portfolio.models import PortfolioItem
        from tattoo.core import uploads

        receivers.connect()
        uploads.register_key_holder(
            lambda keys: PortfolioItem.objects.filter(image_key__in=keys).values_list("image_key", flat=True)
        )
