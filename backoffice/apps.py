from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """The staff's back office: the admin index and the reports that read several apps at once
    (README "Layout"). No models: each app registers its own models' admin in its admin.py."""

    name = "backoffice"
    default_auto_field = "django.db.models.BigAutoField"
