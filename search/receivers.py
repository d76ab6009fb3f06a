"""Keep the search entries in step with the artists (connected in SearchConfig.ready).

Signals, like the public-read cache's (tattoo/core/http_cache.py), so every writer is covered:
the services, the Django admin and the staff tools. Each refresh is one statement in the writer's
transaction. Bulk writes that bypass signals (the scale seeds) call search.services directly.
"""

from django.db.models.signals import post_delete, post_save

from accounts.models import Role, Tattooist, User
from portfolio.models import PortfolioItem
from search.services import artist_search_refresh

_ARTIST_FIELDS = {"studio_name", "bio"}


def _tattooist_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    if created or update_fields is None or _ARTIST_FIELDS & set(update_fields):
        artist_search_refresh(tattooist_ids=[instance.pk])


def _user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.role != Role.TATTOOIST or (update_fields is not None and "name" not in update_fields):
        return
    tattooist = Tattooist.objects.filter(user_id=instance.pk).values_list("pk", flat=True).first()
    if tattooist is not None:
        artist_search_refresh(tattooist_ids=[tattooist], create=False)


def _portfolio_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is None or "style_tags" in update_fields:
        artist_search_refresh(tattooist_ids=[instance.tattooist_id], create=False)


def connect() -> None:
    post_save.connect(_tattooist_saved, sender=Tattooist, dispatch_uid="search_tattooist_saved")
    post_save.connect(_user_saved, sender=User, dispatch_uid="search_user_saved")
    for signal in (post_save, post_delete):
        signal.connect(_portfolio_changed, sender=PortfolioItem, dispatch_uid=f"search_portfolio_{signal}")
