"""Reads of users and artists: the one definition of a public artist and of staff."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Tattooist, User

# The one definition of a public artist: approved by staff, with an active account.
PUBLIC_ARTIST = Q(approved=True, user__is_active=True)


def is_staff_user(user) -> bool:
    """The one staff check: an authenticated user with the admin role (is_staff follows it)."""
    return bool(user is not None and user.is_authenticated and user.is_admin)


def tattooist_public_qs() -> QuerySet[Tattooist]:
    return Tattooist.objects.filter(PUBLIC_ARTIST)


def tattooist_is_public(*, tattooist_id: int) -> bool:
    return tattooist_public_qs().filter(pk=tattooist_id).exists()


def tattooist_can_view(*, tattooist: Tattooist, viewer: User | None) -> bool:
    """A public artist is seen by anyone; an unapproved one by the artist themselves and staff."""
    if tattooist.approved:
        return True
    return bool(
        viewer is not None and viewer.is_authenticated and (viewer.pk == tattooist.user_id or is_staff_user(viewer))
    )


def tattooist_get_public(
    *, tattooist_id: int, viewer: User | None = None, queryset: QuerySet[Tattooist] | None = None
) -> Tattooist:
    """An approved, active artist (or 404); with `viewer`, the artist themselves and staff may also
    preview an unapproved page. `queryset`: artists with what the caller also wants read in the
    same statement (its user included), e.g. a profile's annotations."""
    artists = queryset if queryset is not None else Tattooist.objects.select_related("user")
    artist = artists.filter(pk=tattooist_id, user__is_active=True).first()
    if artist is None or not tattooist_can_view(tattooist=artist, viewer=viewer):
        raise Http404(_("No such artist."))
    return artist
