"""Public-read cache invalidation for bookings' models (tattoo/core/http_cache.py), connected in
BookingsConfig.ready."""

from django.db.models.signals import post_delete, post_save

from bookings.models import Availability, Booking, TimeOff
from tattoo.core.http_cache import artist_key, bump, slots_key


def _availability_changed(sender, instance, **kwargs) -> None:
    bump(artist_key(instance.tattooist_id))


def _schedule_changed(sender, instance, **kwargs) -> None:
    bump(slots_key(instance.tattooist_id))


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_availability_changed, sender=Availability, dispatch_uid=f"http_cache_availability_{signal}")
        # every booking write (create, each status move via booking_move's save, expiry) and time off
        signal.connect(_schedule_changed, sender=Booking, dispatch_uid=f"http_cache_booking_{signal}")
        signal.connect(_schedule_changed, sender=TimeOff, dispatch_uid=f"http_cache_time_off_{signal}")
