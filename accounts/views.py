"""Pages: account (sign up, log in, log out, password change), the public artist pages, the
artist dashboard. Thin: a form checks the shape, the same service as the API does the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from rest_framework.exceptions import AuthenticationFailed, Throttled

from accounts import services, throttling
from accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetConfirmForm,
    PasswordResetForm,
    SignupForm,
)
from accounts.models import Language, Role
from accounts.tokens import REMINDERS, unsubscribe_token_user
from tattoo.core.errors import ApplicationError
from tattoo.core.forms import add_application_error


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _home_for(user) -> str:
    return reverse("dashboard") if user.is_tattooist else reverse("home")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(_home_for(request.user))
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        try:
            services.signup_throttle(request=request)
        except Throttled as exc:
            form.is_valid()
            form.add_error(None, str(exc.detail))
            return render(request, "accounts/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_signup(
                name=data["name"],
                email=data["email"],
                password=data["password"],
                role=data["role"],
                bio=data["bio"] if data["role"] == Role.TATTOOIST else "",
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Inkbook, %(name)s.") % {"name": user.name})
            return redirect(_home_for(user))
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            # The API's login service: the same lockout counters apply to pages and API.
            result = services.user_login(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"],
            )
        except Throttled as exc:
            form.add_error(None, str(exc.detail))
            status = 429
        except AuthenticationFailed as exc:
            form.add_error(None, services.failure_message(exc))
        else:
            login(request, result.user)
            if result.otp_device is not None:
                otp_login(request, result.otp_device)  # staff: the session counts as verified
            return redirect(_next_url(request, _home_for(result.user)))
    if form.errors and status == 200:
        status = 400
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request, "")}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("home")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_change_password(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                address=throttling.client_address(request),
            )
        except Throttled as exc:
            form.add_error(None, str(exc.detail))
            status = 429
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            # The password hash is part of the session hash: keep this session, drop the others.
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect(_home_for(user))
    if form.errors and status == 200:
        status = 400
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


# --- mailed links: address verification, password reset; preferences -------------------------------


@require_http_methods(["GET", "POST"])
def verify_email(request):
    """The mailed link opens this page; the address is verified by its POST button (a link
    scanner that merely fetches the URL verifies nothing)."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    if request.method == "POST":
        try:
            services.email_verify(token=token)
        except ApplicationError as exc:
            return render(request, "accounts/verify_email.html", {"token": token, "error": exc.message}, status=400)
        messages.success(request, _("Your e-mail address is confirmed."))
        return redirect(_home_for(request.user) if request.user.is_authenticated else reverse("login"))
    return render(request, "accounts/verify_email.html", {"token": token})


# Exempt because mail providers POST here on the user's behalf (RFC 8058 one-click) with no
# session and no CSRF token; the signed, purpose-bound token in the URL is the authorisation, and
# the only thing it can do is turn reminders off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, topic: str = REMINDERS):
    """The List-Unsubscribe link of reminder mails (`/unsubscribe/`) and of aftercare mails
    (`/unsubscribe/aftercare/`). GET shows a button (a link scanner that only fetches the URL
    unsubscribes nobody); POST, from that button or from the mail provider with the body
    `List-Unsubscribe=One-Click`, turns that kind of mail off."""
    token = request.GET.get("token") or request.POST.get("token") or ""
    context = {
        "token": token,
        "topic": topic,
        "action": reverse("unsubscribe" if topic == REMINDERS else "unsubscribe-aftercare"),
    }
    if request.method == "POST":
        try:
            services.reminders_unsubscribe(token=token, topic=topic)
        except ApplicationError:
            return render(request, "accounts/unsubscribe.html", {**context, "invalid": True}, status=400)
        return render(request, "accounts/unsubscribe.html", {**context, "done": True})
    if unsubscribe_token_user(token, topic) is None:
        return render(request, "accounts/unsubscribe.html", {**context, "invalid": True}, status=400)
    return render(request, "accounts/unsubscribe.html", context)


@login_required
@require_POST
def verify_email_resend(request):
    try:
        sent = services.email_verify_resend(user=request.user, request=request)
    except Throttled as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("A new link is on its way.") if sent else _("Your address is already verified."))
    return redirect(_next_url(request, _home_for(request.user)))


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Without a token: ask for the mail. With the mailed token: choose the new password."""
    token = request.POST.get("token") or request.GET.get("token") or ""
    if token:
        form = PasswordResetConfirmForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.password_reset_confirm(token=token, password=form.cleaned_data["new_password"])
            except ApplicationError as exc:
                add_application_error(form, exc)
                if exc.code == "token_invalid":
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your password has been changed. Log in with it."))
                return redirect("login")
        context = {"form": form, "token": token}
        return render(request, "accounts/password_reset_confirm.html", context, status=400 if form.errors else 200)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(email=form.cleaned_data["email"], request=request)
        except Throttled as exc:
            form.add_error(None, str(exc.detail))
            return render(request, "accounts/password_reset.html", {"form": form}, status=429)
        return render(request, "accounts/password_reset.html", {"form": None, "sent": True}, status=202)
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request):
    if request.method == "POST":
        language = request.POST.get("language") or None
        try:
            services.user_update(
                user=request.user,
                reminders_enabled=request.POST.get("reminders_enabled") == "on",
                aftercare_enabled=request.POST.get("aftercare_enabled") == "on",
                language=language,
            )
        except ApplicationError as exc:
            context = {"languages": Language.choices, "error": exc.message}
            return render(request, "accounts/settings.html", context, status=400)
        if language:
            translation.activate(language)  # the confirmation reads in the language just chosen
        messages.success(request, _("Your settings are saved."))
        return redirect("account-settings")
    return render(request, "accounts/settings.html", {"languages": Language.choices})


@csrf_exempt
@require_POST
def set_language(request):
    """The language switcher: Django's set_language (the cookie, the redirect to `next`), and for
    a signed-in person the choice is saved on the account too, so the saved language (which beats
    the cookie, docs/i18n.md) follows the switch.

    CSRF is checked for signed-in people only (their account changes). A visitor's switch sets a
    language cookie and nothing else, so their pages carry no token and can be cached whole
    (tattoo/core/http_cache.py public_page); a forged switch could at worst change a visitor's
    page language, as a link to `?language=` would on many sites."""
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda req: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in Language.values:
        services.user_update(user=request.user, language=language)
    return response
