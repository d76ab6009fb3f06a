from django.urls import path

from consultations import api

urlpatterns = [
    path("consultations", api.ConsultationListCreateApi.as_view(), name="api-consultations"),
    path("consultations/<int:pk>", api.ConsultationDetailApi.as_view(), name="api-consultation"),
    path("consultations/<int:pk>/messages", api.ConsultationMessageApi.as_view(), name="api-consultation-messages"),
    path("consultations/<int:pk>/withdraw", api.ConsultationWithdrawApi.as_view(), name="api-consultation-withdraw"),
    path("consultations/<int:pk>/decline", api.ConsultationDeclineApi.as_view(), name="api-consultation-decline"),
    path("consultations/<int:pk>/quotes", api.QuoteCreateApi.as_view(), name="api-consultation-quotes"),
    path("quotes/<int:pk>/accept", api.QuoteAcceptApi.as_view(), name="api-quote-accept"),
    path("quotes/<int:pk>/decline", api.QuoteDeclineApi.as_view(), name="api-quote-decline"),
    path("projects/<int:pk>", api.ProjectDetailApi.as_view(), name="api-project"),
    path("projects/<int:pk>/sessions", api.ProjectSessionApi.as_view(), name="api-project-sessions"),
    path("projects/<int:pk>/cancel", api.ProjectCancelApi.as_view(), name="api-project-cancel"),
]
