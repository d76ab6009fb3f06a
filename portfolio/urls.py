from django.urls import path

from portfolio import api

urlpatterns = [
    path("tattooists", api.TattooistListApi.as_view(), name="api-tattooists"),
    path("tattooists/<int:tattooist_id>", api.TattooistDetailApi.as_view(), name="api-tattooist"),
    path("portfolio", api.PortfolioCreateApi.as_view(), name="api-portfolio-create"),
    path("portfolio/<int:pk>", api.PortfolioDetailApi.as_view(), name="api-portfolio-detail"),
]
