from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = _("Ideas")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ideas.models import TattooIdea
        from tattoo.core import uploads

        uploads.register_key_holder(
            lambda keys: TattooIdea.objects.filter(image_key__in=keys).values_list("image_key", flat=True)
        )
