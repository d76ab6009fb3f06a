from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = _("Ideas")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ideas.models import TattooIdea
        from tattoo.core import images

        # Private: photos of people's bodies; only the booking's parties get (signed) URLs.
        images.register_kind("ideas", model=TattooIdea, private=True)
