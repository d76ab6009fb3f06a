from django.apps import AppConfig


class TattooConfig(AppConfig):
    name = "tattoo"

    def ready(self) -> None:
        from tattoo import http_cache

        http_cache.connect_signals()
