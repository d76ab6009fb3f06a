"""Schemathesis over the live OpenAPI schema, in-process (WSGI), as each role.

Checks: no 5xx, responses conform to the documented schema, status codes and content types are
documented. The seed is fixed so a failure reproduces; raise FUZZ_EXAMPLES to dig deeper.

Two tests share the schema. The first runs the schema's examples and FUZZ_EXAMPLES random cases of
every operation as each of the four roles. The second runs schemathesis' coverage phase (boundary
and invalid values of every parameter and body field, about 45 cases an operation): once per
operation, as the roles that get past its authentication to its validation (`coverage_roles`).
Run as all four roles it was two thirds of this module's time, and most of those cases were
401s and 403s the first test already meets.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tests.factories import AdminFactory, CustomerFactory, TattooistFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
schema.config.phases.update(phases=["examples", "fuzzing"])
boundaries = schemathesis.openapi.from_dict(schema.raw_schema)
boundaries.app = schema.app
boundaries.config.phases.update(phases=["coverage"])
# 5 per operation and role (248 tests); FUZZ_EXAMPLES=50 hunts deeper.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
ROLES = ("anonymous", "customer", "tattooist", "admin")

# Who reaches an operation's validation, by its tag, for an operation that needs a signed-in user
# (one that also serves anonymous callers is covered as anonymous). Where both parties use a tag's
# operations (a booking, a consultation), both roles run the coverage cases.
COVERAGE_ROLES_BY_TAG = {
    "admin": ("admin",),
    "auth": ("customer",),
    "availability": ("tattooist",),
    "bookings": ("customer", "tattooist"),
    "consultations": ("customer", "tattooist"),
    "disputes": ("customer", "tattooist"),
    "payments": ("customer",),
    "portfolio": ("tattooist",),
    "projects": ("customer", "tattooist"),
    "quotes": ("customer",),
    "reviews": ("customer", "tattooist"),
    "tattoo-ideas": ("customer",),
    "tattooists": ("tattooist",),
    "time-off": ("tattooist",),
    "upload": ("customer", "tattooist"),
}


def coverage_roles(definition: dict) -> tuple[str, ...]:
    """The roles that run an operation's coverage cases (its OpenAPI definition)."""
    security = definition.get("security")
    if security is None or {} in security:
        return ("anonymous",)
    (tag,) = definition["tags"]
    return COVERAGE_ROLES_BY_TAG[tag]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: the WSGI handler must not close the test transaction's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def headers_for(role: str) -> dict[str, str]:
    """A new user of `role` and their bearer header (none for anonymous), in the test's transaction."""
    from accounts.tokens import tokens_for_user

    if role == "anonymous":
        return {}
    user = {
        "customer": CustomerFactory,
        "tattooist": lambda: TattooistFactory().user,
        "admin": AdminFactory,
    }[role]()
    return {"Authorization": f"Bearer {tokens_for_user(user, otp_verified=role == 'admin')['access']}"}


@pytest.fixture(params=ROLES)
def role_headers(request, django_db_blocker):
    with django_db_blocker.unblock():
        return headers_for(request.param)


@pytest.fixture
def headers_by_role(django_db_blocker):
    """Each role's headers, its user made on first use (once per test, not per case)."""
    made: dict[str, dict[str, str]] = {}

    def get(role: str) -> dict[str, str]:
        if role not in made:
            with django_db_blocker.unblock():
                made[role] = headers_for(role)
        return made[role]

    return get


# No xdist group: the 248 cases are independent (each makes its own user in its own transaction),
# so both workers share them; one group put a third of the suite on one worker.
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_errors_and_matches_its_schema(case, role_headers):
    case.call_and_validate(headers={**(case.headers or {}), **role_headers}, checks=CHECKS)


@pytest.mark.django_db
@boundaries.parametrize()
@settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_boundary_and_invalid_values_get_a_documented_answer_never_an_error(case, headers_by_role):
    for role in coverage_roles(case.operation.definition.raw):
        case.call_and_validate(headers={**(case.headers or {}), **headers_by_role(role)}, checks=CHECKS)


def test_every_operation_names_the_roles_that_run_its_coverage_cases():
    """A new tag must say who reaches its operations, or its coverage cases would not run."""
    for path, methods in schema.raw_schema["paths"].items():
        for method, definition in methods.items():
            roles = coverage_roles(definition)
            assert roles, (method, path)
            assert set(roles) <= set(ROLES), (method, path, roles)
