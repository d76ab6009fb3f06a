"""Seen from outside (issue 26, item 11): every /api/ answer is JSON in the one error shape, an
unmatched path and a wrong method included, with DEBUG on as off; and six operations' request
schemas state the constraints their validation enforces, so generated clients check before sending.
Over HTTP, and against the OpenAPI document the code generates."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import CustomerFactory
from bookings.tests.factories import BookingFactory
from testing.clients import client_for

pytestmark = pytest.mark.django_db

UNMATCHED = ["/api/portfolio/null,null", "/api/nothing/here", "/api/bookings/1/nope/", "/api/"]


def assert_error_shape(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["fields"] == {}


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("path", UNMATCHED)
def test_an_unmatched_api_path_is_a_json_404_in_the_one_error_shape(api_client, settings, debug, method, path):
    settings.DEBUG = debug
    response = getattr(api_client, method)(path, {"x": 1}, format="json")
    assert_error_shape(response, 404, "not_found")


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_wrong_method_and_an_unknown_id_are_json_too(settings, debug):
    settings.DEBUG = debug
    customer = CustomerFactory()
    client = client_for(customer)
    assert_error_shape(client.delete("/api/tattooists"), 405, "method_not_allowed")
    assert_error_shape(client.put("/api/auth/login", {}, format="json"), 405, "method_not_allowed")
    assert_error_shape(client.get("/api/bookings/999999"), 404, "not_found")


def test_a_get_missing_only_its_trailing_slash_is_sent_to_it(api_client):
    response = api_client.get("/api/docs")
    assert response.status_code == 301
    assert response["Location"] == "/api/docs/"


def test_an_unmatched_api_path_carrying_a_session_is_404_not_a_csrf_403():
    from django.test import Client

    page = Client(enforce_csrf_checks=True)
    page.force_login(CustomerFactory())
    assert_error_shape(page.post("/api/portfolio/null,null", {}), 404, "not_found")


@pytest.fixture(scope="module")
def request_schemas():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    def resolved(name: str) -> dict:
        properties = dict(components[name]["properties"])
        for key, prop in properties.items():
            ref = prop.get("$ref") or next((s["$ref"] for s in prop.get("allOf", []) if "$ref" in s), None)
            if ref:
                properties[key] = {**components[ref.rsplit("/", 1)[1]], **prop}
        return properties

    return resolved


def test_six_operations_state_the_constraints_their_validation_enforces(request_schemas):
    signup = request_schemas("SignupRequest")
    assert (signup["password"]["minLength"], signup["password"]["maxLength"]) == (8, 128)
    assert signup["role"]["enum"] == ["customer", "tattooist"]
    assert re.fullmatch(signup["name"]["pattern"], "Сараа") is not None
    assert re.fullmatch(signup["name"]["pattern"], "Bob\r\nBcc: x") is None
    assert signup["email"]["format"] == "email"

    booking = request_schemas("BookingCreateRequest")
    whole = booking["depositAmount"]["pattern"]
    assert [bool(re.fullmatch(whole, v)) for v in ("50000", "50000.00", "50000.50", "-1", "1e5")] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert booking["slot"]["format"] == "date-time"
    assert booking["notes"]["maxLength"] == 2000

    payment = request_schemas("PaymentCreateInputRequest")
    assert (payment["bookingId"]["minimum"], payment["bookingId"]["maximum"]) == (1, 2**63 - 1)

    presign = request_schemas("UploadPresignRequest")
    assert presign["contentType"]["enum"] == ["image/jpeg", "image/png", "image/webp", "image/heic"]
    assert (presign["size"]["minimum"], presign["size"]["maximum"]) == (1, 10 * 1024 * 1024)
    assert re.search(presign["filename"]["pattern"], "IMG_1.JPG")
    assert not re.search(presign["filename"]["pattern"], "notes.txt")

    for name in ("TokenRequest", "PasswordResetConfirmRequest"):
        token = request_schemas(name)["token"]
        assert (token["minLength"], token["maxLength"]) == (1, 1000)
        assert "pattern" in token
    assert request_schemas("PasswordResetConfirmRequest")["password"]["minLength"] == 8


def test_what_the_schema_refuses_the_api_refuses(api_client, tattooist):
    signup = {"name": "Nomin", "email": "n@example.test", "password": "a-long-enough-pass", "role": "customer"}
    assert api_client.post("/api/auth/signup", {**signup, "password": "short7!"}, format="json").status_code == 400
    assert api_client.post("/api/auth/signup", {**signup, "role": "admin"}, format="json").status_code == 400
    customer = CustomerFactory()
    booking = client_for(customer).post(
        "/api/bookings",
        {"tattooistId": tattooist.pk, "slot": BookingFactory.build().slot.isoformat(), "depositAmount": "50000.50"},
        format="json",
    )
    assert booking.status_code == 400
    presign = client_for(customer).post(
        "/api/upload/presign", {"filename": "a.png", "contentType": "image/png", "size": 0}, format="json"
    )
    assert presign.status_code == 400
    reset = api_client.post("/api/auth/password/reset/confirm", {"token": "x", "password": "short"}, format="json")
    assert reset.status_code == 400
