"""Project-level promises: deploy checks, the committed OpenAPI document, docs offline, admin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from accounts.tests.factories import PASSWORD, AdminFactory, CustomerFactory

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "p" * 20 + "-production-like-secret-key-0123456789abcdef",
    "JWT_SIGNING_KEY": "j" * 48,
    "ALLOWED_HOSTS": "inkbook.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://inkbook.example.com",
    "HTTPS": "true",
    "S3_ACCESS_KEY_ID": "key",
    "S3_SECRET_ACCESS_KEY": "secret",
    "WEB_TO_WORKER_SECRET": "w" * 48,
    "WORKER_TO_WEB_SECRET": "v" * 48,
    "SITE_URL": "https://inkbook.example.com",
    "S3_ENDPOINT_URL": "https://account.r2.cloudflarestorage.com",
    "QPAY_WORKER_URL": "http://10.0.0.5:8001",
    "REDIS_URL": "redis://cache:6379/0",
    "PUBLIC_CACHE_URL": "redis://public-cache:6380/0",
    "TRUSTED_PROXY_COUNT": "1",
    # two Fernet keys, "new,old" (tattoo/core/crypto.py)
    "FIELD_ENCRYPTION_KEYS": "bmV3LWtleS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc=,"
    "b2xkLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc=",
}


def run_manage(
    *args: str, env_overrides: dict[str, str | None], argv: list[str] | None = None
) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV
        and k != "LOCAL_MEMORY_CACHE"
        and not k.startswith(("FAST_", "STATIC_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    for k, v in env_overrides.items():
        if v is None:
            env.pop(k, None)
    return subprocess.run(
        [sys.executable, *(argv or ["manage.py", *args])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_like_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_missing_secret_outside_debug_is_a_startup_error():
    result = run_manage("check", env_overrides={**PRODUCTION_ENV, "SECRET_KEY": None})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def settings_value(expression: str, **overrides: str | None) -> str:
    """repr(expression) over the settings module as a production process reads it (no app loading)."""
    code = f"import tattoo.settings as settings; print(repr({expression}))"
    result = run_manage(env_overrides={**PRODUCTION_ENV, **overrides}, argv=["-c", code])
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # item 8: behind a proxy, REMOTE_ADDR is the proxy's: the hop count must be said, never assumed
        ("TRUSTED_PROXY_COUNT", None),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("TRUSTED_PROXY_COUNT", "one"),
        # item 9: no silent fallback to 127.0.0.1 or a per-process cache outside DEBUG
        ("SITE_URL", None),
        ("SITE_URL", "inkbook.example.com"),
        ("S3_ENDPOINT_URL", None),
        ("S3_ENDPOINT_URL", "ftp://r2.example.com"),
        ("QPAY_WORKER_URL", None),
        ("QPAY_WORKER_URL", "http://"),
        ("REDIS_URL", None),
        ("REDIS_URL", "cache:6379"),
        # issue 26 item 4: rendered public answers in their own bounded store, never the counters'
        ("PUBLIC_CACHE_URL", None),
        ("PUBLIC_CACHE_URL", "public-cache:6380"),
        ("PUBLIC_CACHE_URL", "redis://cache:6379/0"),
        ("WORKER_TIMEOUT_SECONDS", "soon"),
        ("WORKER_TIMEOUT_SECONDS", "nan"),
        ("WORKER_TIMEOUT_SECONDS", "0"),
        ("JWT_SIGNING_KEY", "short-jwt-key"),
        # issue 31: consent answers are sealed with Fernet keys from the environment (tattoo/core/crypto.py)
        ("FIELD_ENCRYPTION_KEYS", None),
        ("FIELD_ENCRYPTION_KEYS", "not-a-fernet-key"),
        (
            "FIELD_ENCRYPTION_KEYS",
            "bmV3LWtleS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc=,bmV3LWtleS0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc=",
        ),
    ],
)
def test_a_missing_or_invalid_production_setting_refuses_to_start_naming_it(name, value):
    # Importing the settings is what every process (gunicorn, manage.py) does first; 0.2 s instead
    # of a full `check --deploy` per case (that one runs in the test below).
    env = {**PRODUCTION_ENV, name: value}
    result = run_manage(env_overrides=env, argv=["-c", "import tattoo.settings"])
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr.strip().splitlines()[-1]


def test_check_deploy_refuses_a_production_process_without_a_shared_cache():
    result = run_manage("check", "--deploy", env_overrides={**PRODUCTION_ENV, "REDIS_URL": None})
    assert result.returncode != 0
    assert "REDIS_URL must be set" in result.stderr


def test_the_proxy_hop_count_alone_decides_which_forwarded_headers_are_trusted():
    assert settings_value("settings.SECURE_PROXY_SSL_HEADER") == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert settings_value("settings.SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY_COUNT="0") == "None"
    # the old switch is gone: setting it alone can no longer make every client one address
    assert settings_value("settings.SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY_COUNT="0", BEHIND_PROXY="true") == "None"


def test_rendered_public_answers_live_in_their_own_store_apart_from_the_counters():
    assert settings_value('settings.CACHES["default"]["LOCATION"]') == "'redis://cache:6379/0'"
    assert settings_value('settings.CACHES["public"]["LOCATION"]') == "'redis://public-cache:6380/0'"


def test_one_process_may_run_on_a_local_memory_cache_only_when_told_so():
    backend = settings_value('settings.CACHES["default"]["BACKEND"]', REDIS_URL=None, LOCAL_MEMORY_CACHE="true")
    assert backend == "'django.core.cache.backends.locmem.LocMemCache'"
    assert settings_value('settings.CACHES["default"]["BACKEND"]').endswith("RedisCache'")


def test_production_hashes_passwords_with_bcrypt_sha256_first():
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = run_manage("shell", "-c", code, env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django.contrib.auth.hashers.BCryptSHA256PasswordHasher"


def test_the_committed_openapi_document_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    # The document is written in English (the product default is Mongolian: docs/i18n.md).
    call_command("spectacular", "--lang", "en", "--file", str(generated), "--validate", "--fail-on-warn")
    committed = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
    assert yaml.safe_load(generated.read_text()) == committed, "docs/openapi.yaml is stale: run `make schema`"


def test_the_schema_documents_the_error_shape():
    schema = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"code", "message", "fields"}
    login = schema["paths"]["/api/auth/login"]["post"]["responses"]
    assert {"200", "400", "429"} <= set(login)


@pytest.mark.django_db
def test_swagger_ui_is_served_without_any_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert client.get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_an_admin_role_user_can_use_the_django_admin_after_a_second_factor(client):
    from accounts import mfa

    admin = AdminFactory()
    device = mfa.enrol(admin)
    login = {"username": admin.email, "password": PASSWORD, "next": "/admin/"}
    refused = client.post("/admin/login/", {**login, "otp_token": ""})
    assert refused.status_code == 200  # the form again, with an error
    assert client.get("/admin/").status_code == 302
    wrong = f"{(int(mfa.current_code(device)) + 1) % 1_000_000:06d}"
    assert client.post("/admin/login/", {**login, "otp_token": wrong}).status_code == 200
    assert client.get("/admin/").status_code == 302
    # a password-only session (as before staff needed a code) is logged out, not let in
    client.force_login(admin)
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/auth/me").status_code == 401

    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp backs off after the wrong code...
    device.throttle_reset()  # ...for a second; the test does not wait it out
    response = client.post("/admin/login/", {**login, "otp_token": mfa.current_code(device)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    for model in (
        "accounts/user",
        "accounts/tattooist",
        "bookings/booking",
        "payments/transaction",
        "portfolio/portfolioitem",
        "ideas/tattooidea",
        "disputes/dispute",
        "bookings/bookingevent",
        "bookings/availability",
        "bookings/timeoff",
    ):
        assert client.get(f"/admin/{model}/").status_code == 200, model


@pytest.mark.django_db
def test_a_customer_cannot_use_the_django_admin(client):
    customer = CustomerFactory()
    client.login(email=customer.email, password=PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_seed_is_idempotent(settings):
    settings.DEBUG = True  # the demo seed (outside DEBUG: accounts/tests/test_seed_guard.py)
    from accounts.models import User
    from bookings.models import Availability, Booking
    from portfolio.models import PortfolioItem

    call_command("seed")
    counts = [m.objects.count() for m in (User, Availability, Booking, PortfolioItem)]
    call_command("seed")
    assert [m.objects.count() for m in (User, Availability, Booking, PortfolioItem)] == counts
    from tattoo.site.demo import ARTISTS

    assert counts[0] == 3 + len(ARTISTS)  # admin, artist, customer and the demo artists (DEBUG)
    assert User.objects.get(email="admin@inkbook.test").is_staff
    assert Booking.objects.get().tattooist.approved


@pytest.mark.django_db
def test_the_seeded_booking_is_made_by_the_booking_services(settings):
    """The customer books a start the slot rule offers, the artist confirms it: the hold's expiry job
    and the audit trail are the services' own, and its deposit is still to pay."""
    settings.DEBUG = True
    from procrastinate.contrib.django.models import ProcrastinateJob

    from bookings import rules
    from bookings.models import Booking

    call_command("seed")
    booking = Booking.objects.select_related("customer", "tattooist__user").get()
    artist = booking.tattooist
    assert (booking.status, booking.payment_status, booking.deposit_amount) == (
        "confirmed",
        "unpaid",
        artist.min_deposit,
    )
    assert [(e.actor_id, e.from_status, e.to_status, e.note) for e in booking.events.order_by("id")] == [
        (booking.customer_id, "", "pending", "booked"),
        (artist.user_id, "pending", "confirmed", ""),
    ]
    assert (
        rules.slot_refusal(
            artist=artist, slot=booking.slot, ends_at=booking.ends_at, now=booking.created_at, booking=booking
        )
        is None
    )
    assert ProcrastinateJob.objects.filter(task_name="bookings.expire_hold", args={"booking_id": booking.pk}).exists()


@pytest.mark.django_db
def test_seeded_users_can_log_in_through_the_api(client, settings):
    settings.DEBUG = True  # the demo seed
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import mfa

    call_command("seed")
    staff_code = mfa.current_code(TOTPDevice.objects.get(user__email="admin@inkbook.test"))
    for email, password, otp in [
        ("admin@inkbook.test", "inkbook-admin-pass", staff_code),
        ("artist@inkbook.test", "inkbook-artist-pass", None),
        ("customer@inkbook.test", "inkbook-customer-pass", None),
    ]:
        body = {"email": email, "password": password} | ({"otp": otp} if otp else {})
        response = client.post("/api/auth/login", body, content_type="application/json")
        assert response.status_code == 200, email


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    from django.db.backends.postgresql.base import DatabaseWrapper
    from django.db.utils import OperationalError

    def broken(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(DatabaseWrapper, "create_cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_production_pages_may_show_public_images_and_private_images_signed_urls():
    """The CSP's img-src: the public bucket's domain, and the R2 endpoint where a private image's
    signed GET URL points (docs/images.md); the private bucket must not be the public one."""
    img_src = settings_value(
        'settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]',
        S3_PUBLIC_BASE_URL="https://media.inkbook.example.com",
    )
    assert img_src == (
        "[\"'self'\", 'data:', 'https://media.inkbook.example.com', 'https://account.r2.cloudflarestorage.com']"
    )
    result = run_manage(
        env_overrides={**PRODUCTION_ENV, "S3_PRIVATE_BUCKET": "inkbook"}, argv=["-c", "import tattoo.settings"]
    )
    assert result.returncode != 0
    assert "S3_PRIVATE_BUCKET" in result.stderr.strip().splitlines()[-1]
