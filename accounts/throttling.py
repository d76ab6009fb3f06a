"""Login and signup throttling: counters per account and per client address in the shared cache.

Logins: only failures count, so successful logins are never slowed. A locked-out attempt is
refused before any password hash is computed. Signups: every attempt from an address counts
(docs/security.md), so throwaway accounts cannot be minted in bulk to hold an artist's slots.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.models import normalize_email


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting only as many X-Forwarded-For hops as we have proxies."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "unknown")


def _keys(email: str, address: str) -> tuple[str, str]:
    # The address as stored and looked up (accounts/models.normalize_email): every spelling that
    # reaches an account counts against that account.
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
    return f"login-fail:acct:{digest}", f"login-fail:addr:{address}"


def is_locked(email: str, address: str) -> bool:
    acct, addr = _keys(email, address)
    counts = cache.get_many([acct, addr])
    return (
        counts.get(acct, 0) >= settings.LOGIN_FAILURES_PER_ACCOUNT
        or counts.get(addr, 0) >= settings.LOGIN_FAILURES_PER_ADDRESS
    )


def _bump(key: str, window: int) -> int:
    """Count one more in `key`; the first count opens a window of `window` seconds. The new count."""
    # add() is atomic: only the first hit sets the window, incr() counts the rest.
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


def record_failure(email: str, address: str) -> None:
    for key in _keys(email, address):
        _bump(key, settings.LOGIN_LOCKOUT_SECONDS)


def signup_allowed(address: str) -> bool:
    """Count a signup attempt from `address`; False once it is over the limit for the window."""
    return _bump(f"signup:addr:{address}", settings.SIGNUP_WINDOW_SECONDS) <= settings.SIGNUPS_PER_ADDRESS


def record_success(email: str, address: str) -> None:
    account_unlock(email)


def account_unlock(email: str) -> None:
    """Forget the account's failures (a successful login, a password reset from the mailed link);
    the addresses' counters stay."""
    acct, _ = _keys(email, "")
    cache.delete(acct)


def mail_request_allowed(kind: str, email: str, address: str) -> tuple[bool, bool]:
    """Count a request that sends a mail (password reset, verification resend): (this address of
    the account is under its limit, this client is under its limit) per MAIL_REQUEST_WINDOW_SECONDS."""
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
    window = settings.MAIL_REQUEST_WINDOW_SECONDS
    per_account = _bump(f"mail:{kind}:acct:{digest}", window) <= settings.MAIL_REQUESTS_PER_ADDRESS
    per_client = _bump(f"mail:{kind}:addr:{address}", window) <= settings.MAIL_REQUESTS_PER_CLIENT
    return per_account, per_client
