from __future__ import annotations

from django.contrib.auth import logout

from accounts import mfa


class StaffSessionVerifiedMiddleware:
    """A staff session must have proven a second factor (accounts/mfa.py); one that has not (made
    before staff needed one, or by any path that skipped the code) is logged out, so pages, the
    API's session authentication and the admin all see an anonymous visitor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and mfa.requires_otp(user) and not user.is_verified():
            logout(request)
        return self.get_response(request)
