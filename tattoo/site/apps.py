from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: server-rendered pages that show several domains at once, and the seed."""

    name = "tattoo.site"
    label = "site"
