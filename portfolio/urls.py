from django.urls import path

from portfolio import api

urlpatterns = [
    path("portfolio", api.PortfolioCreateApi.as_view(), name="api-portfolio-create"),
    path("portfolio/<int:pk>", api.PortfolioDetailApi.as_view(), name="api-portfolio-detail"),
]
