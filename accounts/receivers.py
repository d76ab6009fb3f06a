"""Public-read cache invalidation for accounts' models (tattoo/core/http_cache.py), connected in
AccountsConfig.ready."""

from django.db.models.signals import post_delete, post_save

from accounts.models import Role, Tattooist, User
from tattoo.core.http_cache import CATALOG, artist_key, bump


def _tattooist_changed(sender, instance, **kwargs) -> None:
    bump(CATALOG, artist_key(instance.pk))


def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    # Logins save last_login only: not a public change, and far too frequent to invalidate on.
    if instance.role != Role.TATTOOIST:
        return
    if update_fields is not None and not ({"name", "is_active", "role"} & set(update_fields)):
        return
    tattooist_id = getattr(getattr(instance, "tattooist", None), "pk", None) if instance.pk else None
    bump(CATALOG, *([artist_key(tattooist_id)] if tattooist_id else []))


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_tattooist_changed, sender=Tattooist, dispatch_uid=f"http_cache_tattooist_{signal}")
        signal.connect(_user_changed, sender=User, dispatch_uid=f"http_cache_user_{signal}")
