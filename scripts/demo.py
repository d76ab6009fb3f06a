#!/usr/bin/env python3
"""Drive the main flow over HTTP against a running stack (`make run`), printing each step.

    python scripts/demo.py            # or: make demo

Log in as the seeded customer, find the seeded artist and a free slot, book it, create the QPay
invoice, pay it in the sandbox (QPay's real callback path: sandbox → worker → web app), wait until
the web app has the payment, and show the booking confirmed and the transaction paid.

Base URLs come from the environment, with `make run`'s defaults: BASE (web, http://127.0.0.1:$PORT),
SANDBOX (http://127.0.0.1:$SANDBOX_PORT). Logins: SEED_CUSTOMER_EMAIL/SEED_CUSTOMER_PASSWORD as for
`manage.py seed`. Exits non-zero on the first step that fails.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta

import requests

TIMEOUT = 30
PAID_WAIT_SECONDS = 60
ARTIST_NAME = "Saraa Bold"  # tattoo/site/management/commands/seed.py


class DemoFailed(Exception):
    pass


def step(n: int, text: str) -> None:
    print(f"\n[{n}] {text}", flush=True)


def show(label: str, value) -> None:
    print(f"    {label:<16} {value}", flush=True)


def expect(response: requests.Response, *statuses: int) -> dict:
    if response.status_code not in statuses:
        raise DemoFailed(
            f"{response.request.method} {response.url} answered {response.status_code}: {response.text[:500]}"
        )
    return response.json() if response.content else {}


def run(base: str, sandbox: str, email: str, password: str) -> dict:
    s = requests.Session()

    step(1, f"health: GET {base}/healthz")
    show("web", expect(s.get(f"{base}/healthz", timeout=TIMEOUT), 200))

    step(2, f"log in as the seeded customer ({email})")
    login = expect(s.post(f"{base}/api/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT), 200)
    s.headers["Authorization"] = f"Bearer {login['access']}"
    show("user", f"#{login['user']['id']} {login['user']['name']} ({login['user']['role']})")

    step(3, f"find the seeded artist ({ARTIST_NAME})")
    found = expect(s.get(f"{base}/api/tattooists", params={"q": ARTIST_NAME}, timeout=TIMEOUT), 200)
    if not found["results"]:
        raise DemoFailed(f"no approved artist named {ARTIST_NAME!r}: did `manage.py seed` run?")
    artist = found["results"][0]
    show("artist", f"#{artist['id']} {artist['name']}, {artist['timezone']}, {artist['sessionMinutes']} min")
    show("min deposit", artist["minDeposit"])

    step(4, "find a free slot (GET /api/tattooists/{id}/slots, up to 8 weeks ahead)")
    slot = None
    start = datetime.now(UTC)
    for _ in range(4):  # two weeks per ask: a short answer, and earlier slots first
        end = start + timedelta(days=14)
        slots = expect(
            s.get(
                f"{base}/api/tattooists/{artist['id']}/slots",
                params={"from": start.isoformat(), "to": end.isoformat()},
                timeout=TIMEOUT,
            ),
            200,
        )["slots"]
        if slots:
            slot = slots[0]
            break
        start = end
    if slot is None:
        raise DemoFailed("the artist has no free slot in the next 8 weeks")
    show("slot", f"{slot['start']} (artist's time {slot['localStart']})")

    step(5, "book it (POST /api/bookings)")
    booking = expect(
        s.post(
            f"{base}/api/bookings",
            json={
                "tattooistId": artist["id"],
                "slot": slot["start"],
                "depositAmount": artist["minDeposit"],
                "notes": "make demo: small line-work swallow",
            },
            timeout=TIMEOUT,
        ),
        201,
    )
    show("booking", f"#{booking['id']} status={booking['status']} paymentStatus={booking['paymentStatus']}")

    step(6, "create the deposit payment (POST /api/payments/create → worker → QPay sandbox)")
    payment = expect(
        s.post(f"{base}/api/payments/create", json={"bookingId": booking["id"]}, timeout=TIMEOUT), 200, 201
    )
    invoice = payment["qpayInvoiceId"]
    show("invoice", invoice)
    show("amount", payment["amount"])
    qr = payment["qrUrl"]
    show("QR image", qr if len(qr) <= 100 else f"{qr[:40]}… ({len(qr)} chars; show it as an <img src>)")
    show("QR text", payment["qrText"] if len(payment["qrText"]) <= 60 else payment["qrText"][:60] + "…")
    show("checkout URL", f"{payment['checkoutUrl']}  (QPay's short URL; open it to pay in a browser)")
    show("expires at", payment["expiresAt"])

    step(7, f"pay it in the QPay sandbox (POST {sandbox}/sandbox/invoices/{invoice}/pay)")
    paid = expect(requests.post(f"{sandbox}/sandbox/invoices/{invoice}/pay", json={}, timeout=TIMEOUT), 200)
    show("QPay payment", f"{paid.get('payment_id')} {paid.get('payment_status', '')}".strip())
    print("    (the sandbox now calls the worker's callback URL; the worker checks the payment and")
    print("     posts a signed notification to the web app)", flush=True)

    step(8, f"wait for the web app to see it (GET /api/payments/status/{invoice}, at most {PAID_WAIT_SECONDS} s)")
    deadline = time.monotonic() + PAID_WAIT_SECONDS
    while True:
        status = expect(s.get(f"{base}/api/payments/status/{invoice}", timeout=TIMEOUT), 200)
        if status["status"] == "paid" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    show("transaction", f"status={status['status']} amount={status['amount']} paidAt={status['paidAt']}")
    if status["status"] != "paid":
        raise DemoFailed(f"the payment was not recorded as paid within {PAID_WAIT_SECONDS} s: {status}")

    step(9, f"the booking (GET /api/bookings/{booking['id']})")
    final = expect(s.get(f"{base}/api/bookings/{booking['id']}", timeout=TIMEOUT), 200)
    show("booking", f"#{final['id']} status={final['status']} paymentStatus={final['paymentStatus']}")
    for event in final["events"]:
        show(
            "event",
            f"{event['fromStatus'] or '-'}/{event['fromPaymentStatus'] or '-'} → "
            f"{event['toStatus'] or '-'}/{event['toPaymentStatus'] or '-'}  {event['note']}".rstrip(),
        )
    if (final["status"], final["paymentStatus"]) != ("confirmed", "paid"):
        raise DemoFailed(f"expected the booking confirmed and paid, got {final['status']}/{final['paymentStatus']}")
    print(f"\nDone: booking #{final['id']} is confirmed and its deposit is paid.", flush=True)
    return {"booking": final, "payment": status}


def main() -> int:
    env = os.environ
    base = env.get("BASE") or f"http://127.0.0.1:{env.get('PORT', '8000')}"
    sandbox = env.get("SANDBOX") or f"http://127.0.0.1:{env.get('SANDBOX_PORT', '8002')}"
    email = env.get("SEED_CUSTOMER_EMAIL") or "customer@inkbook.test"
    password = env.get("SEED_CUSTOMER_PASSWORD") or "inkbook-customer-pass"
    try:
        run(base.rstrip("/"), sandbox.rstrip("/"), email, password)
    except DemoFailed as exc:
        print(f"\ndemo FAILED: {exc}", file=sys.stderr)
        return 1
    except requests.ConnectionError as exc:
        print(f"\ndemo FAILED: cannot connect ({exc}). Is `make run` running?", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
