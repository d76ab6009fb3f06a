"""Staff never see each other's TOTP keys in the admin (issue 26, item 8): django-otp's
OTP_ADMIN_HIDE_SENSITIVE_DATA hides the key, the otpauth QR code and its configuration page."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts import mfa
from accounts.tests.factories import AdminFactory
from testing.clients import staff_login

pytestmark = pytest.mark.django_db


def test_a_staff_member_cannot_read_another_staff_members_totp_key(admin_user):
    other = AdminFactory()
    device = mfa.enrol(other)
    staff = Client()
    staff_login(staff, admin_user)

    listing = staff.get("/admin/otp_totp/totpdevice/")
    change = staff.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")

    assert listing.status_code == change.status_code == 200
    for page in (listing, change):
        html = page.content.decode()
        assert device.key not in html
        assert device.bin_key.hex() not in html
        assert "qrcode" not in html.lower()
    assert staff.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert staff.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
