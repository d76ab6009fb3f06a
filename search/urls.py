from django.urls import path

from search import api

urlpatterns = [
    path("tattooists", api.TattooistListApi.as_view(), name="api-tattooists"),
    path("tattooists/<int:tattooist_id>", api.TattooistDetailApi.as_view(), name="api-tattooist"),
]
