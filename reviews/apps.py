from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews and aftercare")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reviews import receivers
        from reviews.models import Review
        from tattoo.core import images

        receivers.connect()
        # Public: healed photos are shown on the artist's page (docs/images.md).
        images.register_kind("reviews", model=Review, private=False)
