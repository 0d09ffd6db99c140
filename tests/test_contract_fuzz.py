"""Property-based contract testing: schemathesis against the app's own OpenAPI document.

Bounded for CI: a fixed seed (derandomised examples) and a modest number of
examples per operation. Runs as an admin (every operation reachable) and
anonymously (public reads, and the 401s of everything else).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import make_app
from .factories import auth, make_employer, make_media, make_portfolio, make_tag, make_token, make_user

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = 25


@pytest.fixture
def fuzzed(tmp_path):
    """A fresh app with a little of everything, and an admin key."""
    app = make_app(tmp_path)
    with app.app_context():
        media = make_media()
        make_portfolio(image=media, employer=make_employer(image=media), tags=[make_tag(image=media)])
        key = make_token(make_user(admin=True))
    return app, auth(key)


@pytest.fixture
def api_schema(fuzzed):
    app, _headers = fuzzed
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")
fuzz_settings = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@schema.parametrize()
@fuzz_settings
def test_as_admin(case, fuzzed):
    app, headers = fuzzed
    response = case.call(app=app, headers=headers)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@fuzz_settings
def test_anonymously(case, fuzzed):
    app, _headers = fuzzed
    response = case.call(app=app)
    case.validate_response(response, checks=CHECKS)
