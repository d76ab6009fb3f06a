from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Finding an artist (docs/search.md): the public artist list and profile answers, their text
    search in both scripts, filters, sorts and next free time. Sits above portfolio and bookings."""

    name = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from search import receivers

        receivers.connect()
