"""Staff need a second factor (docs/reliability.md A14): a TOTP code from an authenticator app.

Staff (the admin role) prove a TOTP code wherever they sign in: the Django admin's login form
(django-otp's OTPAdminSite), the site's login page and POST /api/auth/login (an `otp` field).
What each sign-in yields carries the proof: a session marked verified by django-otp, or JWTs
with the `otp` claim. Staff credentials without it authenticate nothing (JWT: 401 `otp_required`;
session: anonymous to the API and refused by the admin site), so a stolen staff password alone
is useless. A staff account without a confirmed device cannot sign in at all until
`python manage.py totp_device EMAIL` enrols one (there is no default staff account outside the
demo seed). Customers and artists are unaffected.
"""

from __future__ import annotations

import binascii
import time

from django_otp import match_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

JWT_CLAIM = "otp"


def requires_otp(user) -> bool:
    return bool(getattr(user, "is_admin", False))  # staff (User.is_admin: the one staff rule)


def verify(user, token: str | None) -> TOTPDevice | None:
    """The user's confirmed device that accepts `token` now (each code works once), or None.
    django-otp throttles failures per device (exponential back-off)."""
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit():
        return None
    device = match_token(user, token)
    return device if isinstance(device, TOTPDevice) else None


def enrol(user, *, key_hex: str | None = None, name: str = "authenticator") -> TOTPDevice:
    """Replace the user's TOTP devices with one new confirmed device (a random key unless given)."""
    TOTPDevice.objects.filter(user=user).delete()
    fields = {"user": user, "name": name, "confirmed": True}
    if key_hex:
        fields["key"] = key_hex
    return TOTPDevice.objects.create(**fields)


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code the device's authenticator app shows now (for tests and the demo seed)."""
    totp = TOTP(binascii.unhexlify(device.key.encode()), device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"
