"""The public pages: home (the artist search) and an artist's page."""

from __future__ import annotations

from django.shortcuts import render

from accounts.selectors import tattooist_get_public
from search import pages as search_pages
from search.serializers import ArtistListQuerySerializer
from tattoo.core import http_cache
from tattoo.site.views.booking_form import artist_page_context


# Anonymous visitors' HTML is cached like the public API reads (tattoo/core/http_cache.py): the home
# page by the catalog's version and five minutes (each card's next free time moves with the clock
# and every booking: http_cache.LISTING_CLOCK), an artist page by the artist's, its bookings' and
# the minute (the slot list moves with the clock); each also by language, host, path and the query
# parameters it declares (the only ones it gets: the home page's form uses the artist list API's
# parameters).
@http_cache.public_page(
    lambda: [http_cache.CATALOG, http_cache.LISTING_CLOCK], query=ArtistListQuerySerializer.parameter_names()
)
def home(request):
    context, status = search_pages.search_page(request)
    return render(request, "accounts/home.html", context, status=status)


@http_cache.public_page(
    lambda tattooist_id: [http_cache.artist_key(tattooist_id), http_cache.slots_key(tattooist_id), http_cache.CLOCK],
    query=(),
)
def artist_detail(request, tattooist_id: int):
    artist = tattooist_get_public(tattooist_id=tattooist_id, viewer=request.user)
    return render(request, "accounts/artist_detail.html", artist_page_context(request, artist))
