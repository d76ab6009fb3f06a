"""Page routes of the accounts app, included at the site root by tattoo/urls.py."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/settings/", views.account_settings, name="account-settings"),
    path("verify-email/", views.verify_email, name="verify-email"),
    path("verify-email/resend/", views.verify_email_resend, name="verify-email-resend"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path("unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/aftercare/", views.unsubscribe, {"topic": "aftercare"}, name="unsubscribe-aftercare"),
]
