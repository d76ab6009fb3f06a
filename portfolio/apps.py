from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portfolio import receivers
        from portfolio.models import PortfolioItem
        from tattoo.core import uploads

        receivers.connect()
        uploads.register_key_holder(
            lambda keys: PortfolioItem.objects.filter(image_key__in=keys).values_list("image_key", flat=True)
        )
