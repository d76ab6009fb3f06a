"""Schemathesis over the live OpenAPI schema, in-process (WSGI), as each role.

Checks: no 5xx, responses conform to the documented schema, status codes and content types are
documented. The seed is fixed so a failure reproduces; raise FUZZ_EXAMPLES to dig deeper.
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
# 5 per operation and role (248 cases, ~40 s of the suite on 2 cores; 8 took ~60 s and left the suite
# at its 5-minute edge); FUZZ_EXAMPLES=50 hunts deeper.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: the WSGI handler must not close the test transaction's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "customer", "tattooist", "admin"])
def role_headers(request, django_db_blocker):
    from accounts.tokens import tokens_for_user

    if request.param == "anonymous":
        return {}
    with django_db_blocker.unblock():
        user = {
            "customer": CustomerFactory,
            "tattooist": lambda: TattooistFactory().user,
            "admin": AdminFactory,
        }[request.param]()
    return {"Authorization": f"Bearer {tokens_for_user(user, otp_verified=request.param == 'admin')['access']}"}


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
