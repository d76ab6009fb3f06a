"""The site's URLs plus one view that fails, to exercise the 500 page."""

from django.urls import path

from tattoo.urls import handler400, handler403, handler404, handler500  # noqa: F401
from tattoo.urls import urlpatterns as site_patterns


def boom(request):
    raise RuntimeError("kaboom secret detail")


urlpatterns = [path("boom/", boom), *site_patterns]
