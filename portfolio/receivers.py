"""Public-read cache invalidation for portfolio items (tattoo/core/http_cache.py), connected in
PortfolioConfig.ready."""

from django.db.models.signals import post_delete, post_save

from portfolio.models import PortfolioItem
from tattoo.core.http_cache import CATALOG, artist_key, bump


def _portfolio_changed(sender, instance, **kwargs) -> None:
    bump(CATALOG, artist_key(instance.tattooist_id))


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_portfolio_changed, sender=PortfolioItem, dispatch_uid=f"http_cache_portfolio_{signal}")
