from __future__ import annotations

from rest_framework_simplejwt import authentication


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's bearer authentication, also telling the request log who the caller is."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            request._request.api_user_id = result[0].pk
        return result
