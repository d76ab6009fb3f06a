from django.urls import path

from ideas import api

urlpatterns = [
    path("tattoo-ideas", api.TattooIdeaCreateApi.as_view(), name="api-tattoo-ideas"),
    path("tattoo-ideas/<int:pk>", api.TattooIdeaDetailApi.as_view(), name="api-tattoo-idea"),
]
