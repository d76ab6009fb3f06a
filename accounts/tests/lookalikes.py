"""Look-alike spellings of e-mail addresses against login, lockout and signup (docs/security.md).

`probe()` runs the scenario on whatever database Django is connected to and returns what each
step answered; accounts/tests/test_email_normalisation.py runs it on the test database (the dev
cluster's C locale) and, in a subprocess, on a database created with a UTF-8 locale, where
PostgreSQL's UPPER() maps `ı` to `I` and `ſ` to `S`. Needs LOGIN_FAILURES_PER_ACCOUNT=3 and a
high LOGIN_FAILURES_PER_ADDRESS.
"""

from __future__ import annotations

import json
import sys

PASSWORD = "correct horse battery"
EXPECTED = {
    "dotless i reaches no account": 401,
    "capital dotted I reaches no account": 401,
    "same address spelled three ways is locked": 429,
    "signup with a compatibility spelling": 400,
    "signup code": "email_taken",
    "stored": "sam@example.test",
}


def probe() -> dict:
    from rest_framework.test import APIClient

    from accounts.models import User

    User.objects.create_user(email="admin@example.test", password=PASSWORD, name="A", role="customer")
    User.objects.create_user(email="Sam@Example.test", password=PASSWORD, name="S", role="customer")

    def login(email: str, password: str, address: str) -> int:
        body = {"email": email, "password": password}
        return APIClient(REMOTE_ADDR=address).post("/api/auth/login", body, format="json").status_code

    out = {
        "dotless i reaches no account": login("adm\u0131n@example.test", PASSWORD, "10.2.0.1"),
        "capital dotted I reaches no account": login("ADM\u0130N@example.test", PASSWORD, "10.2.0.2"),
    }
    # long s, capitals, fullwidth letters: one address after NFKC + casefold, one lockout counter
    for i, spelling in enumerate(["\u017fam@example.test", "SAM@EXAMPLE.TEST", "\uff33\uff21\uff2d@example.test"]):
        login(spelling, "wrong-password", f"10.2.1.{i}")
    out["same address spelled three ways is locked"] = login("sam@example.test", PASSWORD, "10.2.9.9")
    signup = APIClient(REMOTE_ADDR="10.2.3.1").post(
        "/api/auth/signup",
        {"name": "Twin", "email": "SAM@\uff45xample.test", "password": PASSWORD, "role": "customer"},
        format="json",
    )
    out["signup with a compatibility spelling"] = signup.status_code
    out["signup code"] = signup.json().get("code")
    out["stored"] = User.objects.get(name="S").email
    return out


def main() -> int:
    """Subprocess entry: migrate the database DATABASE_URL names, run the probe, print JSON."""
    import os

    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tattoo.settings")
    django.setup()
    call_command("migrate", verbosity=0)
    from django.core.cache import cache

    cache.clear()
    print(json.dumps(probe()))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
