from django.urls import path

from portfolio import api
from tattoo.http_cache import artist_key, public_cache

urlpatterns = [
    path("portfolio", api.PortfolioCreateApi.as_view(), name="api-portfolio-create"),
    path(
        "portfolio/<int:pk>",
        public_cache(lambda pk: [artist_key(pk)])(api.PortfolioDetailApi.as_view()),
        name="api-portfolio-detail",
    ),
]
