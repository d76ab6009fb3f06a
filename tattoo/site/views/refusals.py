"""How a page meets a service's refusal: 403/404 become the error pages, anything else a message."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tattoo.core.errors import ApplicationError


def refuse(exc: ApplicationError) -> None:
    """A service's 403/404 on a page: the friendly error page, never a stack trace."""
    if exc.status_code == 404:
        raise Http404(exc.message)
    raise PermissionDenied(exc.message)


FAILED = object()


def attempt(request, action):
    """A booking page's service call: its result, or FAILED after a refusal became the error page
    (403/404) or a message on the next page (400/409/503)."""
    try:
        return action()
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return FAILED
