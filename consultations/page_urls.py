"""The pages of custom work (consultations/views.py), at the site root (tattoo/urls.py)."""

from django.urls import path

from consultations import views

urlpatterns = [
    path("artists/<int:tattooist_id>/request/", views.request_new, name="consultation-new"),
    path("consultations/", views.consultation_list, name="consultation-list"),
    path("consultations/<int:consultation_id>/", views.consultation_page, name="consultation-detail"),
    path("consultations/<int:consultation_id>/messages/", views.message_post, name="consultation-message"),
    path("consultations/<int:consultation_id>/withdraw/", views.withdraw, name="consultation-withdraw"),
    path("consultations/<int:consultation_id>/decline/", views.decline, name="consultation-decline"),
    path("consultations/<int:consultation_id>/quote/", views.quote_send, name="consultation-quote"),
    path("quotes/<int:quote_id>/", views.quote_page, name="quote-detail"),
    path("quotes/<int:quote_id>/accept/", views.quote_accept, name="quote-accept"),
    path("quotes/<int:quote_id>/decline/", views.quote_decline, name="quote-decline"),
    path("projects/<int:project_id>/", views.project_page, name="project-detail"),
    path("projects/<int:project_id>/sessions/", views.project_session, name="project-session"),
    path("projects/<int:project_id>/cancel/", views.project_cancel, name="project-cancel"),
]
