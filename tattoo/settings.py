"""Inkbook settings: one module, driven by the environment (see .env.example).

Strict helpers raise on values they cannot parse; outside DEBUG every secret is required, so a
misconfigured production process fails at start-up instead of running with a default.
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import re
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import overload

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Django's generic classes subscriptable at run time as their stubs are (`admin.ModelAdmin[Booking]`
# as a base class; docs/types.md).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@overload
def env(name: str) -> str | None: ...
@overload
def env(name: str, default: str) -> str: ...
def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def envfloat(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive number, not {raw!r}")
    return value


def envrate(name: str, default: str) -> str:
    """A rate shaped like DRF's, N per second/minute/hour/day ("10/hour"; tattoo/core/rates.py)."""
    value = (env(name) or default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name} must look like 10/hour, not {value!r}")
    return value


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)


def envurl(name: str, dev_default: str, *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """An absolute URL; outside DEBUG it must be set (a silent 127.0.0.1 in production points
    payments, uploads or links at nothing) (docs/security.md)."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        if DEBUG:
            return dev_default
        raise ImproperlyConfigured(f"{name} must be set outside DEBUG (no local default in production)")
    m = re.fullmatch(r"([a-z][a-z0-9+.-]*)://([^/?#\s]*)[^\s]*", raw)
    if not m or m.group(1) not in schemes or not (m.group(2) or m.group(1) == "unix"):
        raise ImproperlyConfigured(f"{name} must be an absolute {'/'.join(schemes)} URL, not {raw!r}")
    return raw.rstrip("/")


def envsecret(name: str, dev_default: str | None = None) -> str:
    """A secret: read NAME, or the file named by NAME_FILE; required outside DEBUG."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if not value and path:
        value = Path(path).read_text().strip()
    if value:
        return value
    if DEBUG and dev_default is not None:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set (it is a secret and has no default outside DEBUG)")


SECRET_KEY = envsecret("SECRET_KEY")
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters outside DEBUG")
JWT_SIGNING_KEY = envsecret("JWT_SIGNING_KEY")
# HS256 wants a key at least as long as its hash (RFC 7518 §3.2: 256 bits).
if not DEBUG and len(JWT_SIGNING_KEY.encode()) < 32:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must be at least 32 bytes outside DEBUG (HS256)")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set outside DEBUG")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envurl("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Background jobs on this database (tattoo/core/jobs.py, docs/jobs.md); before the project apps so
    # their tasks.py modules register on the ready app.
    "procrastinate.contrib.django",
    "tattoo.core.apps.CoreConfig",
    "accounts",
    "portfolio",
    "bookings",
    "payments",
    "ideas",
    "disputes",
    # Custom work (docs/consultations.md): above bookings and payments, below search and disputes.
    "consultations",
    # Finding an artist (docs/search.md): above portfolio and bookings, beside payments and ideas.
    "search",
    # Sits just above accounts: imports accounts and the core, never a booking-domain app
    # (callers pass what a message needs).
    "notifications",
    # Consent records live in bookings; reviews, replies, healed photos and aftercare mails here,
    # above disputes (docs/security.md row 24, README "Layout").
    "reviews",
    # The staff's back office (the admin index, the reports): reads every app above, none reads it.
    # Its templates are its own names (admin/inkbook/...), so its place in this list decides no
    # template or static lookup; it sets the admin's index_template rather than overriding
    # admin/index.html, so it need not come before django.contrib.admin.
    "backoffice",
    "tattoo.site.apps.SiteConfig",
]

MIDDLEWARE = [
    "tattoo.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tattoo.core.middleware.StaticFilesMiddleware",  # WhiteNoise
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): staff need a second factor
    "accounts.middleware.StaffSessionVerifiedMiddleware",
    "accounts.language.UserLanguageMiddleware",  # a signed-in user's saved language (docs/i18n.md)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tattoo.core.middleware.ApiCacheControlMiddleware",
]

ROOT_URLCONF = "tattoo.urls"
WSGI_APPLICATION = "tattoo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# PostgreSQL only: the schema relies on btree_gist, tstzrange, arrays and row locks.
_database_url = env("DATABASE_URL")
if not _database_url:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Use `make run`/`make test` (they start a project-local PostgreSQL "
        "in .data/postgres) or point DATABASE_URL at a PostgreSQL 15+ server."
    )
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=envint("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL; Inkbook runs on PostgreSQL only")
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
# Django's psycopg connection pool, per process (gunicorn worker or job worker): DB_POOL_MAX_SIZE
# connections at most, shared by the process's threads; a request borrows one and gives it back at
# its end, so no connection is opened per request and none idles per thread. 0 (default) keeps
# Django's persistent connection per thread (DB_CONN_MAX_AGE). Django has the pool check a
# connection when it is handed out, so the per-request health check (a SELECT 1) is off with it.
DB_POOL_MAX_SIZE = envint("DB_POOL_MAX_SIZE", 0)
if DB_POOL_MAX_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": envfloat("DB_POOL_TIMEOUT_SECONDS", 10),
    }

# gunicorn (gunicorn.conf.py reads these): gthread workers, each serving WEB_THREADS requests at
# once; WEB_WORKERS processes. Each worker needs DB_POOL_MAX_SIZE >= WEB_THREADS to never wait.
WEB_WORKERS = envint("WEB_WORKERS", 2)
WEB_THREADS = envint("WEB_THREADS", 4)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Two caches, two stores (docs/deploy.md, "Redis"):
# - "default" holds what must never be evicted: the login, signup and mail throttle counters, the
#   per-user rates and the worker message ids already seen (docs/security.md). A per-process cache
#   would give every process its own counters, so outside DEBUG it is Redis (REDIS_URL), unless
#   LOCAL_MEMORY_CACHE=true says one process serves everything (the test runs). Its Redis runs with
#   maxmemory-policy noeviction.
# - "public" holds rendered anonymous public answers keyed by their versioned ETag
#   (tattoo/core/http_cache.py): anyone can make it grow, so it is its own bounded Redis
#   (PUBLIC_CACHE_URL: an instance with maxmemory and allkeys-lru), and a flood there can evict only
#   those answers, never a counter.
REDIS_URL = env("REDIS_URL")
PUBLIC_CACHE_URL = env("PUBLIC_CACHE_URL")
if REDIS_URL:
    REDIS_URL = envurl("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
    if PUBLIC_CACHE_URL or not DEBUG:
        PUBLIC_CACHE_URL = envurl("PUBLIC_CACHE_URL", "", schemes=("redis", "rediss", "unix"))
        if PUBLIC_CACHE_URL == REDIS_URL:
            raise ImproperlyConfigured(
                "PUBLIC_CACHE_URL must not be REDIS_URL: rendered public answers need their own bounded store "
                "(maxmemory + allkeys-lru), apart from the counters that must never be evicted (docs/deploy.md)"
            )
    CACHES: dict[str, dict[str, object]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "public": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # DEBUG without PUBLIC_CACHE_URL: the same Redis, told apart by the prefix only
            "LOCATION": PUBLIC_CACHE_URL or REDIS_URL,
            "KEY_PREFIX": "public",
        },
    }
elif DEBUG or envbool("LOCAL_MEMORY_CACHE", False):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "inkbook"},
        "public": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "inkbook-public",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
    }
else:
    raise ImproperlyConfigured(
        "REDIS_URL must be set outside DEBUG: throttles and replay checks need one cache shared by every "
        "process (LOCAL_MEMORY_CACHE=true only for a single process, e.g. the test run)"
    )

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
if envbool("FAST_PASSWORD_HASHER", False):
    # Test runs only: every test user would otherwise cost a 240 ms bcrypt round.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Mongolian first, English beside it (docs/i18n.md). The language of a request, in order: the
# user's saved one, the switcher's cookie (set_language), Accept-Language, then LANGUAGE_CODE.
LANGUAGE_CODE = "mn"
LANGUAGES = [("mn", "Монгол"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers per language (tattoo/core/formats/<lang>/formats.py over Django's own).
FORMAT_MODULE_PATH = ["tattoo.core.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and envbool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or not envbool("STATIC_MANIFEST", True)

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # JSON bodies: 1 MiB is plenty; images go straight to R2

# --- security -------------------------------------------------------------------------------
_https = not DEBUG and envbool("HTTPS", True)
SECURE_SSL_REDIRECT = _https and envbool("SECURE_SSL_REDIRECT", True)
# Reverse proxies in front of the app (0: clients connect directly). One number decides both what
# X-Forwarded-For hop is the client (accounts/throttling.py) and whether X-Forwarded-Proto is
# believed, so the two can never disagree; outside DEBUG it must be said (behind a proxy a wrong 0
# makes every client one address, and one lockout locks everybody out) (docs/security.md).
_proxy_count = env("TRUSTED_PROXY_COUNT")
if not DEBUG and (_proxy_count is None or not _proxy_count.strip()):
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT must be set outside DEBUG: 0 without a reverse proxy, else the hops"
    )
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []
CSRF_FAILURE_VIEW = "tattoo.core.views.csrf_failure"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["djangorestframework_camel_case.parser.CamelCaseJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["tattoo.core.renderers.CamelCaseJSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "tattoo.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "tattoo.core.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "tattoo.core.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Inkbook API",
    "DESCRIPTION": "Find tattoo artists, book sessions, pay deposits with QPay, share ideas.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "CAMELIZE_NAMES": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.contrib.djangorestframework_camel_case.camelize_serializer_fields",
        "drf_spectacular.hooks.postprocess_schema_enums",
    ],
    "ENUM_NAME_OVERRIDES": {
        # several models have a `status`; name each set after its model
        "BookingStatusEnum": "bookings.models.BookingStatus",
        "TransactionStatusEnum": "payments.models.TransactionStatus",
        "DisputeStatusEnum": "disputes.models.DisputeStatus",
        "DisputeResolutionStatusEnum": "disputes.services.RESOLUTION_CHOICES",
        "RoleEnum": "accounts.models.Role",
        "SignupRoleEnum": "accounts.serializers.SIGNUP_ROLES",
        "ConsultationStatusEnum": "consultations.models.ConsultationStatus",
        "QuoteStatusEnum": "consultations.models.QuoteStatus",
        "ProjectStatusEnum": "consultations.models.ProjectStatus",
    },
    "SCHEMA_PATH_PREFIX": r"/api/",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=envint("JWT_ACCESS_MINUTES", 10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=envint("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUDIENCE": "inkbook-api",
    "ISSUER": "inkbook",
    "LEEWAY": 10,
    "CHECK_REVOKE_TOKEN": True,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# Login throttling: failures counted per account and per client address in the cache.
LOGIN_FAILURES_PER_ACCOUNT = envint("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_SECONDS = envint("LOGIN_LOCKOUT_SECONDS", 15 * 60)
# Signup attempts one client address may make per window (accounts/throttling.py).
SIGNUPS_PER_ADDRESS = envint("SIGNUPS_PER_ADDRESS", 10)
SIGNUP_WINDOW_SECONDS = envint("SIGNUP_WINDOW_SECONDS", 60 * 60)

# --- bookings -------------------------------------------------------------------------------
# Anonymous public reads (artist list, portfolio, weekly hours, slots) carry a versioned ETag and
# `Cache-Control: public, max-age=0, s-maxage=N, stale-while-revalidate=M`: browsers always
# revalidate; a shared cache (the reverse proxy or CDN, docs/deploy.md) may reuse an answer N
# seconds without asking, and M more while it revalidates in the background (possibly stale).
PUBLIC_CACHE_S_MAXAGE = envint("PUBLIC_CACHE_S_MAXAGE", 10)
PUBLIC_CACHE_STALE_WHILE_REVALIDATE = envint("PUBLIC_CACHE_STALE_WHILE_REVALIDATE", 60)
if min(PUBLIC_CACHE_S_MAXAGE, PUBLIC_CACHE_STALE_WHILE_REVALIDATE) < 0:
    raise ImproperlyConfigured("PUBLIC_CACHE_S_MAXAGE and PUBLIC_CACHE_STALE_WHILE_REVALIDATE must be >= 0")

BOOKING_MIN_NOTICE_MINUTES = envint("BOOKING_MIN_NOTICE_MINUTES", 120)
BOOKING_HORIZON_DAYS = envint("BOOKING_HORIZON_DAYS", 90)
OTP_TOTP_ISSUER = "Inkbook"  # the name authenticator apps show for staff TOTP devices
# Staff never see each other's TOTP keys in the admin (no key field, QR code or otpauth page):
# a key is shown once, to its owner, by `manage.py totp_device` (docs/security.md).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
BOOKING_HOLD_MINUTES = envfloat("BOOKING_HOLD_MINUTES", 30)  # a decimal (0.5) is fine
BOOKING_MAX_UNPAID_HOLDS = envint("BOOKING_MAX_UNPAID_HOLDS", 2)
BOOKING_MAX_UNPAID_HOLDS_PER_ARTIST_DAY = envint("BOOKING_MAX_UNPAID_HOLDS_PER_ARTIST_DAY", 4)
# Churn (docs/api.md, "Rates"): per user, booking creates, cancels and payment creates (each costs
# QPay calls or mails the other party), 429 beyond; and new holds refused (409
# `too_many_cancelled_holds`) once a customer cancelled this many unpaid holds in 24 hours.
BOOKING_CREATE_RATE = envrate("BOOKING_CREATE_RATE", "20/hour")
BOOKING_CANCEL_RATE = envrate("BOOKING_CANCEL_RATE", "20/hour")
PAYMENT_CREATE_RATE = envrate("PAYMENT_CREATE_RATE", "30/hour")
# Each consultation request and each message mails the other party (docs/consultations.md).
CONSULTATION_CREATE_RATE = envrate("CONSULTATION_CREATE_RATE", "10/hour")
CONSULTATION_MESSAGE_RATE = envrate("CONSULTATION_MESSAGE_RATE", "60/hour")
BOOKING_MAX_CANCELLED_HOLDS_PER_DAY = envint("BOOKING_MAX_CANCELLED_HOLDS_PER_DAY", 5)
BOOKING_FREE_RESCHEDULES = envint("BOOKING_FREE_RESCHEDULES", 1)  # moves a customer may make per booking
BOOKING_RESCHEDULE_NOTICE_HOURS = envint("BOOKING_RESCHEDULE_NOTICE_HOURS", 48)  # ...at least so long before
# Step between offered start times inside a window (a grid anchored at the window's start).
BOOKING_SLOT_STEP_MINUTES = envint("BOOKING_SLOT_STEP_MINUTES", 30)
if not 5 <= BOOKING_SLOT_STEP_MINUTES <= 12 * 60:
    raise ImproperlyConfigured("BOOKING_SLOT_STEP_MINUTES must be between 5 and 720")

# --- background jobs (Procrastinate on DATABASES["default"]; tattoo/core/jobs.py, docs/jobs.md) ----
# `manage.py procrastinate worker` reads these. Scheduled jobs (a hold's expiry) are found by
# polling, so a due job starts at most JOBS_POLL_SECONDS late; new jobs wake a worker at once
# (LISTEN/NOTIFY).
JOBS_POLL_SECONDS = envfloat("JOBS_POLL_SECONDS", 1.0)
JOBS_CONCURRENCY = envint("JOBS_CONCURRENCY", 4)  # jobs one worker process runs at once (threads)
# A worker writes a heartbeat every JOBS_HEARTBEAT_SECONDS; one silent for JOBS_STALLED_AFTER_SECONDS
# is dead, and its running jobs are retried by another worker (the tattoo.retry_stalled_jobs job).
JOBS_HEARTBEAT_SECONDS = envfloat("JOBS_HEARTBEAT_SECONDS", 10.0)
JOBS_STALLED_AFTER_SECONDS = envfloat("JOBS_STALLED_AFTER_SECONDS", 30.0)
if JOBS_STALLED_AFTER_SECONDS <= JOBS_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("JOBS_STALLED_AFTER_SECONDS must be longer than JOBS_HEARTBEAT_SECONDS")
# On SIGTERM a worker takes no new job and lets running ones finish; after this many seconds it
# asks them to abort (a job cut off is retried later: job bodies are idempotent).
JOBS_SHUTDOWN_TIMEOUT_SECONDS = envfloat("JOBS_SHUTDOWN_TIMEOUT_SECONDS", 30.0)
# /healthz calls the queue stalled when the oldest due job has waited longer than this.
JOBS_HEALTH_MAX_DELAY_SECONDS = envint("JOBS_HEALTH_MAX_DELAY_SECONDS", 120)
# How often the stalled-job check runs (cron; a sixth field is seconds). Code wiring, not an
# environment variable: the worker tests run it every second.
JOBS_STALLED_CHECK_CRON = "* * * * *"
PROCRASTINATE_WORKER_DEFAULTS = {
    "concurrency": JOBS_CONCURRENCY,
    "fetch_job_polling_interval": JOBS_POLL_SECONDS,
    "update_heartbeat_interval": JOBS_HEARTBEAT_SECONDS,
    "stalled_worker_timeout": JOBS_STALLED_AFTER_SECONDS,
    "shutdown_graceful_timeout": JOBS_SHUTDOWN_TIMEOUT_SECONDS,
}

# --- mail (notifications/, docs/notifications.md) ----------------------------------------------
# Development: the maildev catcher `make run` starts (SMTP 127.0.0.1:MAIL_PORT). Production: plain
# SMTP (EMAIL_HOST...) or a provider through django-anymail (EMAIL_BACKEND=anymail.backends.<esp>
# .EmailBackend plus ANYMAIL_* settings). Mail is only ever sent by the notifications.send job.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1" if DEBUG else "")
EMAIL_PORT = envint("EMAIL_PORT", 1025 if DEBUG else 587)  # scripts/devenv.py: the catcher's MAIL_PORT
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "") if env("EMAIL_HOST_USER") else ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", not DEBUG)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)  # seconds per SMTP conversation: a job never hangs on it
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive")
if not DEBUG and EMAIL_BACKEND.endswith("smtp.EmailBackend") and not EMAIL_HOST:
    raise ImproperlyConfigured("EMAIL_HOST must be set outside DEBUG (or EMAIL_BACKEND set to an anymail backend)")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or ("Inkbook <no-reply@inkbook.test>" if DEBUG else "")
if not DEFAULT_FROM_EMAIL:
    raise ImproperlyConfigured("DEFAULT_FROM_EMAIL must be set outside DEBUG (an address of a domain with SPF/DKIM)")
if "@" not in parseaddr(DEFAULT_FROM_EMAIL)[1]:
    # Its domain also names every Message-ID (notifications/services.py): a bare name would not do.
    raise ImproperlyConfigured(
        f"DEFAULT_FROM_EMAIL must be an address, e.g. Inkbook <no-reply@example.com>, not {DEFAULT_FROM_EMAIL!r}"
    )
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# django-anymail: the provider's settings, e.g. ANYMAIL_POSTMARK_SERVER_TOKEN or ANYMAIL_MAILGUN_API_KEY.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and not key.endswith("_FILE")
}
# A message is tried this many times (backoff 2, 4, ... s between), then left `failed` in the admin.
EMAIL_MAX_ATTEMPTS = envint("EMAIL_MAX_ATTEMPTS", 8)
# A send claimed this long ago without an outcome (its worker died mid-send) is tried again.
EMAIL_CLAIM_SECONDS = envint("EMAIL_CLAIM_SECONDS", 120)
# Reminders go out this long before a confirmed session (0 turns them off).
REMINDER_HOURS = envint("REMINDER_HOURS", 24)
# --- after the session: consent, reviews, aftercare (docs/api.md, "After the session") ---------
# Keys encrypting consent answers at rest (tattoo/core/crypto.py): Fernet keys (32 random bytes,
# URL-safe base64), comma-separated; the first encrypts, every one decrypts ("new,old" while rotating,
# then `manage.py reencrypt_consents`, then drop the old one: docs/deploy.md "Consent keys").
FIELD_ENCRYPTION_KEYS = [k.strip() for k in envsecret("FIELD_ENCRYPTION_KEYS").split(",") if k.strip()]
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        _raw = base64.urlsafe_b64decode(_key.encode())
    except (ValueError, binascii.Error):
        _raw = b""
    if len(_raw) != 32 or len(_key) != 44:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (32 random bytes, URL-safe base64, 44 characters), "
            "comma-separated"
        )
if not FIELD_ENCRYPTION_KEYS or len(set(FIELD_ENCRYPTION_KEYS)) != len(FIELD_ENCRYPTION_KEYS):
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must list at least one key, each once")
# A signed consent's answers are deleted this many days after its session (3 years).
CONSENT_RETENTION_DAYS = envint("CONSENT_RETENTION_DAYS", 3 * 365)
# The consent form's link is mailed this long before a confirmed session (at once when later).
CONSENT_REQUEST_HOURS = envint("CONSENT_REQUEST_HOURS", 48)
# A healed photo may be added to a review, and is asked for by mail, this many days after the session.
HEALED_PHOTO_DAYS = envint("HEALED_PHOTO_DAYS", 21)

# Links in mails: e-mail verification and password reset tokens.
EMAIL_VERIFY_TOKEN_DAYS = envint("EMAIL_VERIFY_TOKEN_DAYS", 7)
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_MINUTES", 60) * 60
# Password-reset and verification-resend requests: per address and per client address, per hour.
MAIL_REQUESTS_PER_ADDRESS = envint("MAIL_REQUESTS_PER_ADDRESS", 5)
MAIL_REQUESTS_PER_CLIENT = envint("MAIL_REQUESTS_PER_CLIENT", 20)
MAIL_REQUEST_WINDOW_SECONDS = envint("MAIL_REQUEST_WINDOW_SECONDS", 60 * 60)

# --- uploads (Cloudflare R2 in production; a local S3 server in development and tests) -------
S3_ENDPOINT_URL = envurl("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
S3_BUCKET = env("S3_BUCKET", "inkbook")
S3_ACCESS_KEY_ID = envsecret("S3_ACCESS_KEY_ID", "devkey")
S3_SECRET_ACCESS_KEY = envsecret("S3_SECRET_ACCESS_KEY", "devsecret")
S3_REGION = env("S3_REGION", "auto")
# Public base URL of the bucket (an R2 custom domain or r2.dev URL); objects are served at {base}/{key}.
S3_PUBLIC_BASE_URL = (env("S3_PUBLIC_BASE_URL") or f"{S3_ENDPOINT_URL}/{S3_BUCKET}").rstrip("/")
# A second bucket without public access (R2 refuses anonymous reads of it): every upload lands there
# (the phone's original bytes are never public), and so do private images (ideas) and their variants,
# read through presigned GET URLs valid IMAGE_URL_EXPIRES_SECONDS (docs/images.md).
S3_PRIVATE_BUCKET = env("S3_PRIVATE_BUCKET", "inkbook-private")
if S3_PRIVATE_BUCKET == S3_BUCKET:
    raise ImproperlyConfigured("S3_PRIVATE_BUCKET must differ from S3_BUCKET (the public one)")
IMAGE_URL_EXPIRES_SECONDS = envint("IMAGE_URL_EXPIRES_SECONDS", 15 * 60)
# An attached image larger than this many pixels is refused (400 image_too_large) before it is decoded.
IMAGE_MAX_PIXELS = envint("IMAGE_MAX_PIXELS", 50_000_000)
# Connect/read timeout of each bucket call (HEAD on create, DELETE after a record's delete).
S3_TIMEOUT_SECONDS = envint("S3_TIMEOUT_SECONDS", 10)
UPLOAD_URL_EXPIRES_SECONDS = envint("UPLOAD_URL_EXPIRES_SECONDS", 300)
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# An upload must be attached to a record within this many hours; `manage.py sweep_uploads` removes
# older ones nothing points at (after 24 h by default, which must stay above this).
UPLOAD_ATTACH_WITHIN_HOURS = envint("UPLOAD_ATTACH_WITHIN_HOURS", 12)
# Presigned upload URLs one user may ask for, as a DRF rate ("120/hour").
UPLOAD_PRESIGN_RATE = env("UPLOAD_PRESIGN_RATE", "120/hour")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", UPLOAD_PRESIGN_RATE or ""):
    raise ImproperlyConfigured(f"UPLOAD_PRESIGN_RATE must look like 120/hour, not {UPLOAD_PRESIGN_RATE!r}")

# --- payments: the QPay worker --------------------------------------------------------------
QPAY_WORKER_URL = envurl("QPAY_WORKER_URL", "http://127.0.0.1:8001")
# HMAC secrets of the worker hops, one list per direction (qpay_signing/__init__.py,
# docs/security.md); a comma-separated second value is accepted during rotation (the first signs).
# WEB_TO_WORKER_SECRET signs this app's requests to the worker; WORKER_TO_WEB_SECRET verifies the
# worker's payment notifications and answers.
WEB_TO_WORKER_SECRETS = [s for s in envsecret("WEB_TO_WORKER_SECRET", "dev-web-to-worker").split(",") if s]
WORKER_TO_WEB_SECRETS = [s for s in envsecret("WORKER_TO_WEB_SECRET", "dev-worker-to-web").split(",") if s]
if set(WEB_TO_WORKER_SECRETS) & set(WORKER_TO_WEB_SECRETS):
    raise ImproperlyConfigured("WEB_TO_WORKER_SECRET and WORKER_TO_WEB_SECRET must not share a value")
WORKER_TIMEOUT_SECONDS = envfloat("WORKER_TIMEOUT_SECONDS", 15.0)
# A card refund (and the payment lookup before retrying one) waits longer: the worker may wait on
# QPay for one call and a login (40 s, qpay_worker/qpay_client.py CALL_WITH_LOGIN_SECONDS), and a
# refund QPay accepted after the web app gave up would be asked again (docs/deposits.md).
WORKER_REFUND_TIMEOUT_SECONDS = envfloat("WORKER_REFUND_TIMEOUT_SECONDS", 60.0)
PAYMENT_STATUS_RECHECK_SECONDS = envint("PAYMENT_STATUS_RECHECK_SECONDS", 30)
# Where the worker posts payment verdicts (named in every invoice request).
PAYMENT_NOTIFY_URL = (env("PAYMENT_NOTIFY_URL") or f"{SITE_URL}/api/payments/notify").rstrip("/")
# Lifetime of an invoice when the booking has no hold deadline (e.g. confirmed by the artist first).
PAYMENT_INVOICE_MINUTES = envint("PAYMENT_INVOICE_MINUTES", 30)
# How long a payment notification waits for a row lock before answering 503 (the worker retries).
PAYMENT_LOCK_TIMEOUT_MS = envint("PAYMENT_LOCK_TIMEOUT_MS", 5000)

# --- content security policy (django-csp 4) -------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # The public bucket's origin, and the endpoint's, where private images' signed GET URLs point.
        "img-src": list(
            dict.fromkeys(
                [
                    "'self'",
                    "data:",
                    S3_PUBLIC_BASE_URL.split("/", 3)[0] + "//" + S3_PUBLIC_BASE_URL.split("/", 3)[2],
                    S3_ENDPOINT_URL.split("/", 3)[0] + "//" + S3_ENDPOINT_URL.split("/", 3)[2],
                ]
            )
        ),
        "connect-src": ["'self'", S3_ENDPOINT_URL],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# --- logging --------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "tattoo.core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's default console handler on "django" (DEBUG only), which printed every
        # django.* message a second time next to ours.
        "django": {"level": "INFO"},
        # runserver's own request lines (4xx at WARNING) repeat inkbook.request with the query
        # string; keep only its errors, and through the redacting handler.
        "django.server": {"level": "ERROR", "propagate": True},
        "django.request": {"level": "ERROR"},
        # Job workers log each job's start and outcome (procrastinate.worker); the registration of
        # periodic tasks, repeated by every manage.py command, is noise.
        "procrastinate.periodic": {"level": "WARNING"},
        # "Deferred 1 job" for every job written: the job rows and the worker's own lines say it.
        "procrastinate.jobs": {"level": "WARNING"},
        "procrastinate.blueprints": {"level": "WARNING"},
    },
}
