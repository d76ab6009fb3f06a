"""Public-read cache invalidation for reviews (tattoo/core/http_cache.py), connected in ReviewsConfig.ready.

A review's save moves the artist's key (their page and review list) and the catalog (the list's
rating filter and sort read `rating_average`, which the review's transaction changed with a plain
UPDATE that sends no signal of its own)."""

from django.db.models.signals import post_delete, post_save

from reviews.models import Review
from tattoo.core.http_cache import CATALOG, artist_key, bump


def _review_changed(sender, instance, **kwargs) -> None:
    bump(CATALOG, artist_key(instance.tattooist_id))


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_review_changed, sender=Review, dispatch_uid=f"http_cache_review_{signal}")
