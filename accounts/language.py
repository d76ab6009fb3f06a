"""Which language a request is answered in (docs/i18n.md "Which language a request gets").

Django's LocaleMiddleware picks the switcher's cookie, then Accept-Language, then LANGUAGE_CODE.
On top of it: a signed-in person's saved language (`User.language`) wins on pages, and the JSON
API answers in the Accept-Language language when the request names one, else in the caller's
saved language. Session users are handled by `UserLanguageMiddleware` (after the authentication
middleware); JWT callers, whom DRF authenticates inside the view, by accounts/authentication.py.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"


def header_language(request) -> str | None:
    """The first supported language of the request's Accept-Language header, or None."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE") or ""
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def saved_language(user) -> str | None:
    language = getattr(user, "language", None) if user is not None and user.is_authenticated else None
    return language if language in dict(settings.LANGUAGES) else None


def use(request, language: str | None) -> None:
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_language(request, user) -> str | None:
    """The API's choice: Accept-Language when it names a language we speak, else the saved one
    (None: keep what LocaleMiddleware chose)."""
    return header_language(request) or saved_language(user)


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: the session user's saved language on pages; the API's rule
    on /api/ (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if is_api(request):
            use(request, header_language(request) or saved_language(user))
        else:
            use(request, saved_language(user))
        return self.get_response(request)
