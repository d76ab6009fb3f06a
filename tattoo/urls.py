from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control
from django.views.decorators.vary import vary_on_headers
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.views import set_language
from tattoo.core import views
from tattoo.core.api import UploadPresignApi

api_patterns = [
    path("", include("accounts.urls")),
    path("upload/presign", UploadPresignApi.as_view(), name="api-upload-presign"),
    path("", include("search.urls")),
    path("", include("portfolio.urls")),
    path("", include("bookings.urls")),
    path("", include("payments.urls")),
    path("", include("ideas.urls")),
    path("", include("disputes.urls")),
    path("", include("reviews.urls")),
    path("", include("consultations.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # Last: any other /api/ path, any method, is a JSON 404 in the one error shape (docs/api.md).
    re_path(r"^(?P<rest>.*)$", views.api_not_found, name="api-not-found"),
]

# The page scripts' catalogue changes only with a deploy: kept an hour by browsers and shared caches.
# It is in the page's language (Accept-Language, the switcher's cookie, a signed-in user's saved
# language: hence the Vary), and base.html names that language in its URL (?language=mn), so a
# change of language asks for a new URL rather than reading the other language's copy.
javascript_catalog = cache_control(public=True, max_age=3600)(
    vary_on_headers("Accept-Language", "Cookie")(JavaScriptCatalog.as_view())
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The back office's reports, before the admin's own URLs.
    path("admin/reports/", include("backoffice.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    # The language switcher posts to set_language (i18n/setlang/: Django's view, which also saves a
    # signed-in user's choice); page scripts read their strings from the JavaScript catalogue
    # (djangojs domain).
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    # Server-rendered pages, mounted at the root: accounts' own (signup, login) and the site's.
    path("", include("accounts.page_urls")),
    path("", include("bookings.page_urls")),
    path("", include("reviews.page_urls")),
    path("", include("consultations.page_urls")),
    path("", include("tattoo.site.urls")),
]

handler400 = "tattoo.core.views.error_400"
handler403 = "tattoo.core.views.error_403"
handler404 = "tattoo.core.views.error_404"
handler500 = "tattoo.core.views.error_500"
