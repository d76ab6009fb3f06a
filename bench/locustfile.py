"""The mixed workload: people browsing, looking for slots, and booking and paying, with pauses.

Run by bench/load.py (`make load`), which writes the plan this file reads (LOAD_PLAN: the web
base URLs, artist ids, styles, customer logins, the sandbox URL) and checks the database
afterwards. Weights: 70 % browsing, 20 % slot look-ups over the next 30 days, 10 % sign in + book
+ pay through the QPay sandbox; every simulated person waits 1-3 s between steps. With several web
instances each person sticks to one (as a load balancer with keep-alive would), chosen at random.

Request names are the request types of the report ("browse: home ?style", "book: create", ...).
A 409 on create (someone else took the slot meanwhile) is a correct answer, counted as "book:
create 409 (slot taken)", not as an error.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import UTC, datetime, timedelta

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115 - read once at import
PAID_WAIT_SECONDS = 20


def _base() -> str:
    return random.choice(PLAN["web"])


class Browser(HttpUser):
    """Home with style and search filters, artist pages, the portfolio API, page 2+."""

    weight = 7
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.base = _base()

    @task(3)
    def home_style(self) -> None:
        self.client.get(f"{self.base}/?style={random.choice(PLAN['styles'])}", name="browse: home ?style")

    @task(2)
    def home_search(self) -> None:
        self.client.get(f"{self.base}/", params={"q": random.choice(PLAN["names"])}, name="browse: home ?q")

    @task(2)
    def home_page(self) -> None:
        self.client.get(f"{self.base}/?page={random.randint(2, 20)}", name="browse: home ?page=2+")

    @task(3)
    def artist_page(self) -> None:
        self.client.get(f"{self.base}/artists/{random.choice(PLAN['artists'])}/", name="browse: artist page")

    @task(2)
    def portfolio_api(self) -> None:
        self.client.get(
            f"{self.base}/api/portfolio/{random.choice(PLAN['artists'])}?page={random.randint(1, 3)}",
            name="browse: portfolio API",
        )

    @task(1)
    def artist_list_api(self) -> None:
        self.client.get(
            f"{self.base}/api/tattooists?style={random.choice(PLAN['styles'])}&page={random.randint(2, 5)}",
            name="browse: artist list API page 2+",
        )


def _window(days: int) -> dict[str, str]:
    start = datetime.now(UTC)
    return {"from": start.isoformat(), "to": (start + timedelta(days=days)).isoformat()}


class SlotLooker(HttpUser):
    """An artist's free starts over the next 30 days."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.base = _base()

    @task
    def slots(self) -> None:
        artist = random.choice(PLAN["artists"])
        self.client.get(f"{self.base}/api/tattooists/{artist}/slots", params=_window(30), name="slots: 30 days")


class Booker(HttpUser):
    """Signs in once, then books a free slot, opens the QPay invoice, pays it in the sandbox and waits
    until the web app has the payment (sandbox -> QPay worker -> signed notify)."""

    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.base = _base()
        email = random.choice(PLAN["customers"])
        with self.client.post(
            f"{self.base}/api/auth/login",
            json={"email": email, "password": PLAN["password"]},
            name="sign in",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.text[:200]}")
                self.token = None
                return
            self.token = r.json()["access"]

    @task
    def book_and_pay(self) -> None:
        if not self.token:
            return
        auth = {"Authorization": f"Bearer {self.token}"}
        artist = random.choice(PLAN["bookable"])
        r = self.client.get(
            f"{self.base}/api/tattooists/{artist}/slots", params=_window(30), headers=auth, name="book: slots"
        )
        free = r.json().get("slots", []) if r.status_code == 200 else []
        if not free:
            return
        time.sleep(random.uniform(1, 3))  # picks a time
        slot = random.choice(free[:20])["start"]
        started = time.perf_counter()
        with self.client.post(
            f"{self.base}/api/bookings",
            json={"tattooistId": artist, "slot": slot, "depositAmount": "50000"},
            headers=auth,
            name="book: create",
            catch_response=True,
        ) as r:
            if r.status_code == 409:
                r.success()
                events.request.fire(
                    request_type="POST", name="book: create 409 (slot taken)", response_time=0, response_length=0,
                    exception=None, context={},
                )  # fmt: skip
                return
            if r.status_code != 201:
                r.failure(f"{r.status_code} {r.text[:200]}")
                return
            booking = r.json()["id"]
        with self.client.post(
            f"{self.base}/api/payments/create",
            json={"bookingId": booking},
            headers=auth,
            name="pay: create invoice",
            catch_response=True,
        ) as r:
            if r.status_code not in (200, 201):
                r.failure(f"{r.status_code} {r.text[:200]}")
                return
            invoice = r.json()["qpayInvoiceId"]
        booked = time.perf_counter()
        time.sleep(random.uniform(1, 3))  # scans the QR code
        self.client.post(f"{PLAN['sandbox']}/sandbox/invoices/{invoice}/pay", json={}, name="pay: sandbox pays")
        paid_at = time.perf_counter()
        deadline = paid_at + PAID_WAIT_SECONDS
        state = None
        while time.perf_counter() < deadline:
            r = self.client.get(f"{self.base}/api/bookings/{booking}", headers=auth, name="pay: booking poll")
            state = r.json() if r.status_code == 200 else None
            if state and state.get("paymentStatus") == "paid":
                break
            time.sleep(0.25)
        confirmed = state is not None and state.get("paymentStatus") == "paid"
        events.request.fire(
            request_type="FLOW",
            name="book+pay: create + invoice (no pauses)",
            response_time=(booked - started) * 1000,
            response_length=0,
            exception=None,
            context={},
        )
        events.request.fire(
            request_type="FLOW",
            name="pay: sandbox pay -> web app has it",
            response_time=(time.perf_counter() - paid_at) * 1000,
            response_length=0,
            exception=None if confirmed else RuntimeError(f"not paid after {PAID_WAIT_SECONDS} s: {state}"),
            context={},
        )
