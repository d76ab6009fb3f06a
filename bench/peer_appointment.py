"""The peer's booking create in-process: django-appointment 3.12's two-step booking.

Run by bench/create_vs_peer.py with .venv-peer's Python (django-appointment is installed there
from PyPI, bench/peer_requirements.txt; none of its code is in this repository):

    .venv-peer/bin/python bench/peer_appointment.py DATABASE_URL N [serve]

A minimal Django project (settings below) on its own database of the same PostgreSQL: one staff
member offering one 2-hour service with working hours every day. A signed-in client books through
the peer's own views with Django's test client: POST request-submit (the AppointmentRequest), then
POST client-info (the Appointment), each answered with a redirect. Prints one JSON line: p50/p90
of the two steps together (ms) and the SQL statements of one booking.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit


def configure(db_url: str) -> None:
    from django.conf import settings

    u = urlsplit(db_url)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="peer-bench-" + "x" * 50,
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        USE_TZ=True,
        TIME_ZONE="UTC",
        INSTALLED_APPS=[
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "phonenumber_field",
            "appointment",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": u.path.lstrip("/"),
                "USER": u.username or "",
                "PASSWORD": u.password or "",
                "HOST": u.hostname or "",
                "PORT": str(u.port or ""),
                "CONN_MAX_AGE": 60,
            }
        },
        STATIC_URL="/static/",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        APPOINTMENT_WEBSITE_NAME="bench",
        LOGGING={"version": 1, "disable_existing_loggers": True},
    )


urlpatterns: list = []


def main() -> int:
    db_url, n = sys.argv[1], int(sys.argv[2])
    configure(db_url)
    import django

    django.setup()
    import logging

    logging.disable(logging.CRITICAL)
    from django.urls import include, path

    urlpatterns.append(path("appointment/", include("appointment.urls")))
    from appointment.models import Service, StaffMember, WorkingHours
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("migrate", run_syncdb=True, verbosity=0)  # the wheel ships no migrations: its tables by syncdb
    user_model = get_user_model()
    artist = user_model.objects.create_user("artist", "artist@peer.test", "x", first_name="Art", last_name="Ist")
    service = Service.objects.create(name="Session", duration=timedelta(hours=2), price=0)
    staff = StaffMember.objects.create(
        user=artist,
        slot_duration=120,
        lead_time="08:00",
        finish_time="22:00",
        work_on_saturday=True,
        work_on_sunday=True,
    )
    staff.services_offered.add(service)
    for day in range(7):
        WorkingHours.objects.create(staff_member=staff, day_of_week=day, start_time="08:00", end_time="22:00")
    customers = [
        user_model.objects.create_user(f"c{i}", f"c{i}@peer.test", "x", first_name=f"C{i}") for i in range(n + 12)
    ]
    with connection.cursor() as cursor:  # as bench/create_inprocess.py does for Inkbook's database
        cursor.execute("VACUUM ANALYZE")

    client = Client()

    def book(i: int) -> None:
        day = datetime.now(UTC).date() + timedelta(days=2 + i // 6)
        start = 8 + 2 * (i % 6)
        r1 = client.post(
            "/appointment/request-submit/",
            {
                "date": day.isoformat(),
                "start_time": f"{start:02d}:00",
                "end_time": f"{start + 2:02d}:00",
                "service": service.pk,
                "staff_member": staff.pk,
            },
        )
        if r1.status_code != 302:
            raise SystemExit(f"request-submit: {r1.status_code} {r1.content[:400]!r}")
        r2 = client.post(
            r1["Location"],
            {
                "name": f"Customer {i}",
                "email": customers[i].email,
                "phone_0": "MN",
                "phone_1": "88112233",
                "address": "Ulaanbaatar",
                "additional_info": "a koi on the arm",
                "payment_type": "full",
            },
        )
        if r2.status_code != 302:
            raise SystemExit(f"client-info: {r2.status_code} {r2.content[:600]!r}")

    for i in range(5):
        client.force_login(customers[i])
        book(i)
    # force_login (the session) is outside the timing, as the JWT is for Inkbook's side
    client.force_login(customers[5])
    # Every statement of both steps, counted as it is sent (the query log is emptied per request).
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        book(5)
    if len(sys.argv) > 3 and sys.argv[3] == "serve":  # bench/create_vs_peer.py's interleaved batches
        from interleave import serve

        def create(i: int) -> bool:
            book(i)  # exits loudly unless both steps answer with their redirect
            return True

        return serve(
            create,
            first=6,
            total=n,
            side="django-appointment 3.12 (two steps)",
            sql=len(statements),
            untimed=lambda i: client.force_login(customers[i]),
        )
    timings = []
    for i in range(6, 6 + n):
        client.force_login(customers[i])
        t0 = time.perf_counter()
        book(i)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    print(
        json.dumps(
            {
                "side": "django-appointment 3.12 (two steps)",
                "n": n,
                "p50_ms": round(statistics.median(timings), 2),
                "p90_ms": round(timings[int(0.9 * n)], 2),
                "sql_per_create": len(statements),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
