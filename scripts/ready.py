#!/usr/bin/env python3
"""Procfile `ready:` process for `make run`: wait until every process answers, print the URLs and
demo logins, then stay idle (honcho stops everything when any process exits).

Reads what scripts/devenv.py exports: SITE_URL (the web app on $PORT), WORKER_PORT, SANDBOX_PORT,
S3_ENDPOINT_URL and the SEED_* logins. Standard library only.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import urllib.error
import urllib.request

WAIT_SECONDS = 120


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        # The S3 server refuses an anonymous bucket listing (403): it is up.
        return exc.code < 500
    except OSError:
        return False


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    env = os.environ
    # Not $PORT: honcho hands every Procfile process its own PORT (base + 100 × position).
    web = (env.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
    worker = f"http://127.0.0.1:{env.get('WORKER_PORT', '8001')}"
    sandbox = f"http://127.0.0.1:{env.get('SANDBOX_PORT', '8002')}"
    s3 = env.get("S3_ENDPOINT_URL") or f"http://127.0.0.1:{env.get('S3_PORT', '9000')}"
    bucket = env.get("S3_BUCKET", "inkbook")
    inbox = f"http://127.0.0.1:{env.get('MAIL_UI_PORT', '1080')}"
    checks = {
        "web": f"{web}/healthz",
        "worker": f"{worker}/worker/healthz",
        "sandbox": f"{sandbox}/healthz",
        "storage": f"{s3}/",
        "mail": f"{inbox}/api/healthz",
    }
    deadline = time.monotonic() + WAIT_SECONDS
    waiting = dict(checks)
    while waiting and time.monotonic() < deadline:
        waiting = {name: url for name, url in waiting.items() if not answers(url)}
        if waiting:
            time.sleep(0.5)
    if waiting:
        names = ", ".join(f"{n} ({u})" for n, u in waiting.items())
        print(f"not answering after {WAIT_SECONDS} s: {names}", flush=True)
    # (role, email, password or None when it came from the environment, shown then by name only)
    logins = [
        ("staff", env.get("SEED_ADMIN_EMAIL") or "admin@inkbook.test", env.get("SEED_ADMIN_PASSWORD"), "ADMIN"),
        ("artist", env.get("SEED_ARTIST_EMAIL") or "artist@inkbook.test", env.get("SEED_ARTIST_PASSWORD"), "ARTIST"),
        (
            "customer",
            env.get("SEED_CUSTOMER_EMAIL") or "customer@inkbook.test",
            env.get("SEED_CUSTOMER_PASSWORD"),
            "CUSTOMER",
        ),
    ]
    defaults = {"ADMIN": "inkbook-admin-pass", "ARTIST": "inkbook-artist-pass", "CUSTOMER": "inkbook-customer-pass"}
    lines = [
        "",
        "Inkbook is running" + (" (some parts are not answering, see above)" if waiting else "") + ":",
        f"  site           {web}/",
        f"  API docs       {web}/api/docs/",
        f"  admin          {web}/admin/",
        f"  health         {web}/healthz",
        f"  QPay worker    {worker}/worker/healthz",
        f"  QPay sandbox   {sandbox}/healthz  (pay page: {sandbox}/sandbox/invoices/<invoiceId>)",
        f"  S3 (R2 stand-in) {s3}  objects at {s3}/{bucket}/<key>",
        f"  mail inbox     {inbox}/  (every mail the app sends; SMTP 127.0.0.1:{env.get('MAIL_PORT', '1025')})",
        "Demo logins:",
        *(
            f"  {role:<9} {email}  {f'(from SEED_{key}_PASSWORD)' if password else defaults[key]}"
            for role, email, password, key in logins
        ),
        f"  staff also need a one-time code: .venv/bin/python scripts/devenv.py -- python manage.py totp_code "
        f"{logins[0][1]}  (or add secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP to an authenticator app)",
        "Try the whole flow in another terminal: make demo.  Ctrl-C stops everything.",
        "",
    ]
    print("\n".join(lines), flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
