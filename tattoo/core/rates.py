"""Per-user rates on actions that cost someone else something (docs/api.md, "Rates").

A rate is a setting shaped like DRF's ("10/hour"): at most N actions per user in each fixed window
of that length, counted in the shared cache ("default": Redis outside DEBUG, the store the login
throttles use and that must never evict, docs/deploy.md). Every attempt counts, as for the login
and signup throttles. Over the rate: 429 `rate_limited` with `Retry-After` (the seconds until the
window turns), on the API and on the pages alike, because the services ask it.
"""

from __future__ import annotations

import re
import time

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from tattoo.core.errors import RateLimited

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_RE = re.compile(r"([1-9][0-9]*)/(s|sec|second|m|min|minute|h|hour|d|day)")


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/hour' → (10, 3600)."""
    match = RATE_RE.fullmatch(rate or "")
    if match is None:
        raise ImproperlyConfigured(f"a rate looks like 10/hour, not {rate!r}")
    return int(match.group(1)), _PERIODS[match.group(2)[0]]


def _count(key: str, timeout: int) -> int:
    """One more in `key`; the first count opens its window (`timeout` seconds). The new count."""
    # add() is atomic: only the first one sets the key, incr() counts the rest.
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=timeout)
        return 1


def tally_add(*, scope: str, user_id: int, window_seconds: int) -> int:
    """Count one `scope` event of `user_id` in a window its first event opens; the new count."""
    return _count(f"tally:{scope}:{user_id}", window_seconds)


def tally_get(*, scope: str, user_id: int) -> int:
    """How many `scope` events of `user_id` the current window holds (0 once it has passed)."""
    return int(cache.get(f"tally:{scope}:{user_id}") or 0)


def rate_refusal(*, scope: str, user_id: int, rate: str, now: float | None = None) -> RateLimited | None:
    """Count one `scope` action of `user_id`; the 429 to raise once it is over `rate`, or None."""
    limit, window = parse_rate(rate)
    now = time.time() if now is None else now
    started = int(now // window) * window
    count = _count(f"rate:{scope}:{user_id}:{started}", window + 60)
    if count <= limit:
        return None
    wait = max(1, int(started + window - now))
    return RateLimited(
        _("Too many requests of this kind; try again in %(minutes)s minute(s).") % {"minutes": -(-wait // 60)},
        retry_after=wait,
    )
