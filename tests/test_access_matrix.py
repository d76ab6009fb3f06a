"""Authorization matrix (docs/reliability.md A9): every API route x method x role has one expected status.

The routes come from the URL resolver, so a new route or method without a row in MATRIX fails
`test_every_api_route_and_method_has_a_row`. Each case gets fresh objects: one of each kind owned
by `customer` and/or `tattooist` (a booking between them, a portfolio item, a weekly window, a
time off entry, a transaction, a dispute and a tattoo idea on the booking). Writes send an empty JSON body, so
a caller who is allowed in gets the validation answer (400) and everyone else 401/403/404.

Foreign objects follow the API's existing rules: an unknown id is 404 and an existing object of
someone else is 403 (`not_a_party` for a booking and what hangs off it, its payment status;
`not_owner` for an artist's portfolio item, weekly window or time off; a tattoo idea is the
author's to edit or delete, the booking's parties' to read). docs/reliability.md A9 notes
ASVS would allow 404 on foreign objects; the API chose 403 for these, so the matrix pins that choice.
Routes for one role refuse the other roles with 403 before looking at ids. Authorization comes
before validation: a stranger to a booking named in the path gets 403 even for the empty body,
and `test_a_stranger_is_refused_before_the_body_is_judged` proves the same for bodies that name a
booking (`bookingId`) but are otherwise invalid (the party gets 400 for the same body).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import AdminFactory, CustomerFactory, TattooistFactory
from bookings.models import TimeOff
from bookings.tests.factories import AvailabilityFactory, BookingFactory, ConsentFactory
from disputes.models import Dispute
from ideas.models import TattooIdea
from payments.models import Transaction
from portfolio.models import PortfolioItem
from reviews.models import Review
from testing.clients import client_for

ROLES = ("anonymous", "customer", "other_customer", "tattooist", "other_tattooist", "admin")
METHODS = ("get", "post", "put", "patch", "delete")
# The OpenAPI document and its viewer are public by design; the catch-all answers every unmatched
# /api/ path with a JSON 404 for anyone (tests/test_api_error_shape.py).
SKIPPED = {"schema", "swagger-ui", "api-not-found"}


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _row(anonymous, customer, other_customer, tattooist, other_tattooist, admin) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, customer, other_customer, tattooist, other_tattooist, admin), strict=True))


# (url name, METHOD) → expected status per role, in ROLES order:
#            anon customer other_c tattooist other_t admin
MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("api-admin-bookings", "GET"): _row(401, 403, 403, 403, 403, 200),
    ("api-admin-dispute", "PATCH"): _row(401, 403, 403, 403, 403, 400),
    ("api-admin-disputes", "POST"): _row(401, 403, 403, 403, 403, 400),
    ("api-admin-tattooist-approve", "PATCH"): _row(401, 403, 403, 403, 403, 400),
    ("api-admin-transactions", "GET"): _row(401, 403, 403, 403, 403, 200),
    ("api-availability", "POST"): _row(401, 403, 403, 400, 400, 403),
    ("api-availability-item", "DELETE"): _row(401, 403, 403, 204, 403, 403),
    ("api-availability-item", "GET"): _all(200),
    ("api-booking", "GET"): _row(401, 200, 403, 200, 403, 200),
    ("api-booking", "PATCH"): _row(401, 400, 403, 400, 403, 400),
    ("api-booking-reschedule", "POST"): _row(401, 400, 403, 400, 403, 400),
    ("api-bookings", "GET"): _row(401, 200, 200, 200, 200, 200),
    ("api-bookings", "POST"): _row(401, 400, 400, 403, 403, 403),
    ("api-disputes", "POST"): _row(401, 400, 400, 400, 400, 400),
    ("api-login", "POST"): _all(400),
    ("api-logout", "POST"): _row(401, 400, 400, 400, 400, 400),
    ("api-me", "GET"): _row(401, 200, 200, 200, 200, 200),
    ("api-me", "PATCH"): _row(401, 200, 200, 200, 200, 200),
    ("api-verify-email", "POST"): _all(400),
    ("api-verify-email-resend", "POST"): _row(401, 202, 202, 202, 202, 202),
    ("api-password-reset", "POST"): _all(400),
    ("api-password-reset-confirm", "POST"): _all(400),
    ("api-password", "POST"): _row(401, 400, 400, 400, 400, 400),
    ("api-portfolio-create", "POST"): _row(401, 403, 403, 400, 400, 403),
    ("api-portfolio-detail", "DELETE"): _row(401, 403, 403, 204, 403, 204),
    ("api-portfolio-detail", "GET"): _all(200),
    ("api-portfolio-detail", "PATCH"): _row(401, 403, 403, 200, 403, 403),
    ("api-refresh", "POST"): _all(400),
    ("api-signup", "POST"): _all(400),
    ("api-tattooist", "GET"): _all(200),
    ("api-tattooist-slots", "GET"): _all(200),
    ("api-tattooists", "GET"): _all(200),
    ("api-tattooists-me", "PATCH"): _row(401, 403, 403, 200, 200, 403),
    ("api-time-off", "GET"): _row(401, 403, 403, 200, 200, 403),
    ("api-time-off", "POST"): _row(401, 403, 403, 400, 400, 403),
    ("api-time-off-item", "DELETE"): _row(401, 403, 403, 204, 403, 403),
    ("api-upload-presign", "POST"): _row(401, 400, 400, 400, 400, 400),
    ("payment-create", "POST"): _row(401, 400, 400, 403, 403, 403),
    ("payment-notify", "POST"): _all(401),
    ("payment-status", "GET"): _row(401, 200, 403, 200, 403, 200),
    ("api-tattoo-idea", "DELETE"): _row(401, 204, 403, 403, 403, 204),
    ("api-tattoo-idea", "GET"): _row(401, 200, 403, 200, 403, 200),
    ("api-tattoo-idea", "PATCH"): _row(401, 200, 403, 403, 403, 200),
    ("api-tattoo-ideas", "POST"): _row(401, 400, 400, 400, 400, 400),
    # issue 31: the consent is its customer's to sign, its parties' to read (staff: that it exists);
    # the review its customer's to write and edit, its artist's to answer, anyone's to read
    ("api-booking-consent", "POST"): _row(401, 400, 403, 403, 403, 403),
    ("api-booking-consent", "GET"): _row(401, 200, 403, 200, 403, 200),
    ("api-booking-review", "POST"): _row(401, 400, 403, 403, 403, 403),
    ("api-tattooist-reviews", "GET"): _all(200),
    ("api-review", "PATCH"): _row(401, 200, 403, 403, 403, 403),
    ("api-review-reply", "POST"): _row(401, 403, 403, 400, 403, 403),
    # custom work (docs/consultations.md): the request, its quote and a project are the customer's
    # with the tattooist; staff read them and may cancel a project, never act as a party
    ("api-consultations", "GET"): _row(401, 200, 200, 200, 200, 200),
    ("api-consultations", "POST"): _row(401, 400, 400, 403, 403, 403),
    ("api-consultation", "GET"): _row(401, 200, 403, 200, 403, 200),
    ("api-consultation-messages", "POST"): _row(401, 400, 403, 400, 403, 403),
    ("api-consultation-withdraw", "POST"): _row(401, 200, 403, 403, 403, 403),
    ("api-consultation-decline", "POST"): _row(401, 403, 403, 400, 403, 403),
    ("api-consultation-quotes", "POST"): _row(401, 403, 403, 400, 403, 403),
    ("api-quote-accept", "POST"): _row(401, 400, 403, 403, 403, 403),
    ("api-quote-decline", "POST"): _row(401, 200, 403, 403, 403, 403),
    ("api-project", "GET"): _row(401, 200, 403, 200, 403, 200),
    ("api-project-sessions", "POST"): _row(401, 400, 403, 400, 403, 403),
    ("api-project-cancel", "POST"): _row(401, 200, 403, 200, 403, 200),
}

# How each route's path parameters are filled from the fixtures (method-specific where one path
# means different objects per method, as docs/api.md documents for portfolio and availability).
PATH_ARGS = {
    "api-portfolio-detail": lambda o, m: {"pk": o["tattooist"].pk if m == "GET" else o["item"].pk},
    "api-tattooist": lambda o, m: {"tattooist_id": o["tattooist"].pk},
    "api-tattooist-slots": lambda o, m: {"tattooist_id": o["tattooist"].pk},
    "api-availability-item": lambda o, m: {"pk": o["tattooist"].pk if m == "GET" else o["window"].pk},
    "api-time-off-item": lambda o, m: {"pk": o["time_off"].pk},
    "api-booking": lambda o, m: {"pk": o["booking"].pk},
    "api-booking-reschedule": lambda o, m: {"pk": o["booking"].pk},
    "payment-status": lambda o, m: {"qpay_invoice_id": o["transaction"].qpay_invoice_id},
    "api-admin-tattooist-approve": lambda o, m: {"tattooist_id": o["tattooist"].pk},
    "api-admin-dispute": lambda o, m: {"dispute_id": o["dispute"].pk},
    "api-tattoo-idea": lambda o, m: {"pk": o["booking"].pk if m == "GET" else o["idea"].pk},
    "api-booking-consent": lambda o, m: {"pk": o["booking"].pk},
    "api-booking-review": lambda o, m: {"pk": o["booking"].pk},
    "api-tattooist-reviews": lambda o, m: {"tattooist_id": o["tattooist"].pk},
    "api-review": lambda o, m: {"pk": o["review"].pk},
    "api-review-reply": lambda o, m: {"pk": o["review"].pk},
    "api-consultation": lambda o, m: {"pk": o["consultation"].pk},
    "api-consultation-messages": lambda o, m: {"pk": o["consultation"].pk},
    "api-consultation-withdraw": lambda o, m: {"pk": o["consultation"].pk},
    "api-consultation-decline": lambda o, m: {"pk": o["consultation"].pk},
    "api-consultation-quotes": lambda o, m: {"pk": o["consultation"].pk},
    "api-quote-accept": lambda o, m: {"pk": o["quote"].pk},
    "api-quote-decline": lambda o, m: {"pk": o["quote"].pk},
    "api-project": lambda o, m: {"pk": o["project"].pk},
    "api-project-sessions": lambda o, m: {"pk": o["project"].pk},
    "api-project-cancel": lambda o, m: {"pk": o["project"].pk},
}


def api_routes() -> list[tuple[str, str, object]]:
    """(url name, route, callback) for every pattern under /api/ except the schema and docs."""
    out = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith("api/") and p.name not in SKIPPED:
                    out.append((p.name, route, p.callback))

    walk(get_resolver().url_patterns, "")
    return out


def route_methods() -> list[tuple[str, str]]:
    pairs = []
    for name, _route, callback in api_routes():
        view = getattr(callback, "cls", None)
        assert view is not None, f"{name} is not a DRF view; add it to the matrix by hand"
        pairs += [(name, m.upper()) for m in METHODS if hasattr(view, m)]
    return pairs


def test_every_api_route_and_method_has_a_row():
    missing = sorted(set(route_methods()) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(route_methods()))
    assert not missing, f"add rows to MATRIX for: {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_no_row_lets_an_anonymous_caller_write():
    for (name, method), row in MATRIX.items():
        if method != "GET" and name not in ("api-signup", "api-login", "api-refresh"):
            assert not 200 <= row["anonymous"] < 300, (name, method)


def build_objects() -> dict:
    """One of each kind of object, owned by `customer` and/or `tattooist`."""
    customer, tattooist = CustomerFactory(), TattooistFactory(approved=True)
    booking = BookingFactory(customer=customer, tattooist=tattooist, status="confirmed", payment_status="paid")
    now = timezone.now()
    key = f"uploads/{tattooist.user_id}/0a1b2c3d-0000-4000-8000-000000000001.png"
    return {
        "customer": customer,
        "other_customer": CustomerFactory(),
        "tattooist": tattooist,
        "other_tattooist": TattooistFactory(approved=True),
        "admin": AdminFactory(),
        "booking": booking,
        "item": PortfolioItem.objects.create(tattooist=tattooist, image_url=f"https://img.test/{key}", image_key=key),
        "window": AvailabilityFactory(tattooist=tattooist),
        "time_off": TimeOff.objects.create(
            tattooist=tattooist, starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=21)
        ),
        "transaction": Transaction.objects.create(
            booking=booking,
            amount=booking.deposit_amount,
            status="paid",
            paid_amount=booking.deposit_amount,
            qpay_invoice_id="INV-MATRIX-1",
            qpay_payment_id="PAY-MATRIX-1",
            last_checked_at=now,
        ),
        "dispute": Dispute.objects.create(booking=booking, initiator=customer, reason="It went wrong."),
        "idea": TattooIdea.objects.create(booking=booking, created_by=customer, description="A koi on the forearm."),
        "consent": ConsentFactory(booking=booking),
        # written directly: the matrix is about who may, not when (reviews need a completed session)
        "review": Review.objects.create(booking=booking, tattooist=tattooist, customer=customer, rating=5),
        **custom_work(customer, tattooist),
    }


@pytest.fixture(scope="module")
def _module_objects(django_db_setup, django_db_blocker):
    """The objects, written once for this module's ~400 cases (as Django's setUpTestData does): in
    a transaction held open until the module's last test and then rolled back. Each test runs in a
    savepoint inside it (pytest-django's `db`), so what a case writes is gone before the next one.
    Building them for every case was a third of the whole suite's fixture time (~60 ms a case)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield {name: (type(obj), obj.pk) for name, obj in build_objects().items()}
        transaction.set_rollback(True)


@pytest.fixture
def objects(db, _module_objects):
    """This test's own copies, read again: a case that changes or refreshes one in memory leaves
    nothing behind for the next."""
    return {name: model.objects.get(pk=pk) for name, (model, pk) in _module_objects.items()}


def custom_work(customer, tattooist) -> dict:
    """A request with an open quote, and another whose accepted quote made a project (rows written
    directly: the matrix is about who may ask, not about the flows)."""
    from consultations.tests.factories import ConsultationFactory, ProjectFactory, QuoteFactory

    consultation = ConsultationFactory(customer=customer, tattooist=tattooist, status="quoted")
    return {
        "consultation": consultation,
        "quote": QuoteFactory(consultation=consultation),
        "project": ProjectFactory(customer=customer, tattooist=tattooist),
    }


def client_as(role: str, objects) -> APIClient:
    if role == "anonymous":
        return APIClient()
    user = objects[role]
    return client_for(getattr(user, "user", user))


def call(name: str, method: str, role: str, objects):
    from django.urls import reverse

    kwargs = PATH_ARGS.get(name, lambda o, m: {})(objects, method)
    path = reverse(name, kwargs=kwargs)
    client = client_as(role, objects)
    if method in ("GET", "DELETE"):
        return getattr(client, method.lower())(path)
    return getattr(client, method.lower())(path, {}, format="json")


CASES = [(name, method, role) for (name, method) in sorted(MATRIX) for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role"), CASES, ids=[f"{n}-{m}-{r}" for n, m, r in CASES])
def test_each_role_gets_the_expected_status(name, method, role, objects):
    response = call(name, method, role, objects)
    assert response.status_code == MATRIX[(name, method)][role], response.content[:300]


@pytest.mark.django_db
def test_lists_show_only_the_callers_rows(objects):
    def count(role: str, path: str) -> int:
        response = client_as(role, objects).get(path)
        assert response.status_code == 200
        return response.json()["count"]

    # the booking, and the first session of the project
    assert count("customer", "/api/bookings") == 2
    assert count("tattooist", "/api/bookings") == 2
    assert count("other_customer", "/api/bookings") == 0
    assert count("other_tattooist", "/api/bookings") == 0
    assert count("admin", "/api/bookings") == 2
    # the quoted request, and the project's
    for role, seen in (("customer", 2), ("tattooist", 2), ("other_customer", 0), ("other_tattooist", 0), ("admin", 2)):
        assert count(role, "/api/consultations") == seen, role
    assert count("tattooist", "/api/time-off") == 1
    assert count("other_tattooist", "/api/time-off") == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["other_customer", "other_tattooist"])
def test_a_foreign_booking_is_refused_even_with_a_valid_body(role, objects):
    booking = objects["booking"]
    moved = client_as(role, objects).patch(f"/api/bookings/{booking.pk}", {"status": "cancelled"}, format="json")
    assert moved.status_code == 403
    disputed = client_as(role, objects).post(
        "/api/disputes", {"bookingId": booking.pk, "reason": "Not mine, but let me try."}, format="json"
    )
    assert disputed.status_code == 403
    later = (booking.slot + timedelta(days=7)).isoformat()
    path = f"/api/bookings/{booking.pk}/reschedule"
    rescheduled = client_as(role, objects).post(path, {"slot": later}, format="json")
    assert rescheduled.status_code == 403
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert Dispute.objects.filter(booking=booking).count() == 1


@pytest.mark.django_db
def test_a_foreign_artists_item_is_refused_even_with_a_valid_body(objects):
    item = objects["item"]
    response = client_as("other_tattooist", objects).patch(
        f"/api/portfolio/{item.pk}", {"description": "mine now"}, format="json"
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.description == ""


# Routes whose body names the booking: the body below names the fixture's booking but is invalid
# in every other field, so a party gets 400 and a stranger must get 403 without the body judged.
BODY_NAMED = [
    ("/api/disputes", {"reason": ""}, "customer"),
    ("/api/tattoo-ideas", {"description": "x" * 100_000, "imageKey": 7}, "customer"),
    ("/api/payments/create", {"extra": "ignored"}, None),
    ("/api/bookings/{pk}/reschedule", {"slot": "next tuesday"}, "customer"),
    ("/api/bookings/{pk}", {"status": "flying"}, "customer"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "invalid", "party"), BODY_NAMED, ids=[p for p, _, _ in BODY_NAMED])
@pytest.mark.parametrize("stranger", ["other_customer", "other_tattooist"])
def test_a_stranger_is_refused_before_the_body_is_judged(path, invalid, party, stranger, objects):
    booking = objects["booking"]
    body = {"bookingId": booking.pk, **invalid}
    url = path.format(pk=booking.pk)
    send = "patch" if url.endswith(f"/{booking.pk}") else "post"
    refused = getattr(client_as(stranger, objects), send)(url, body, format="json")
    assert refused.status_code == 403, refused.content[:300]
    assert "fields" not in refused.json() or not refused.json()["fields"]
    if party is not None:
        judged = getattr(client_as(party, objects), send)(url, body, format="json")
        assert judged.status_code == 400, judged.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/disputes", "/api/tattoo-ideas", "/api/payments/create"])
def test_a_body_naming_an_unknown_booking_is_404_before_validation(path, objects):
    response = client_as("customer", objects).post(path, {"bookingId": 987654321, "reason": ""}, format="json")
    assert response.status_code == 404, response.content[:300]
