from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom layer (errors, money, uploads, HTTP caching, jobs): it imports no domain app, and
    each app connects its own cache-invalidation receivers (its AppConfig.ready).

    The label stays "tattoo" so the tables, migrations and job names written before the split keep
    their names.
    """

    name = "tattoo.core"
    label = "tattoo"
    verbose_name = _("Core")
