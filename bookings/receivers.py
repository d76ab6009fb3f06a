"""Public-read cache invalidation for bookings' models (tattoo/core/http_cache.py), connected in
BookingsConfig.ready."""

from django.db.models.signals import post_delete, post_save

from bookings.models import Availability, Booking, TimeOff
from tattoo.core.http_cache import CATALOG, artist_key, bump, slots_key


# Weekly hours and time off change the artist list's free times (docs/search.md), and are rare:
# they bump the catalog too. Bookings are frequent and would make the catalog's row a hot spot
# every booking waits on: the list's next free times follow them within the minute (its ETag
# carries the clock) instead.
def _availability_changed(sender, instance, **kwargs) -> None:
    bump(CATALOG, artist_key(instance.tattooist_id))


def _time_off_changed(sender, instance, **kwargs) -> None:
    bump(CATALOG, slots_key(instance.tattooist_id))


def _booking_changed(sender, instance, **kwargs) -> None:
    bump(slots_key(instance.tattooist_id))


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_availability_changed, sender=Availability, dispatch_uid=f"http_cache_availability_{signal}")
        # every booking write (create, each status move via booking_move's save, expiry)
        signal.connect(_booking_changed, sender=Booking, dispatch_uid=f"http_cache_booking_{signal}")
        signal.connect(_time_off_changed, sender=TimeOff, dispatch_uid=f"http_cache_time_off_{signal}")
