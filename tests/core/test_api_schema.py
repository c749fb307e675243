"""The API against its own OpenAPI schema: schemathesis fuzzes every operation of the live
schema (in-process, through the WSGI app), anonymously and with a merchant token, with the rate
limits on but raised, and checks that nothing answers 5xx, that every answer (status, content
type, headers, body, Allow) is one the schema describes, that a token is not ignored, nor a
deleted resource still served. And the committed
docs/openapi.yaml is the schema the code generates (`make openapi` regenerates it)."""

from pathlib import Path

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks as openapi_checks

from merchant.services import create_api_token
from tests.conftest import photo

COMMITTED_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
# Every check schemathesis has but positive_data_acceptance and negative_data_rejection, which
# still find cases (form fields sent empty, a password with a NUL, types DRF coerces; and refusals
# no schema foresees: wrong credentials, unknown categories). `object_level_authorization`
# needs a second merchant's credentials in a stateful run: the same property (another merchant's
# product is not found, nor changed) is tested in tests/merchant/test_api_merchant_products.py.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.missing_required_header,
    openapi_checks.unsupported_method,
    openapi_checks.allow_header_conformance,
    openapi_checks.use_after_free,
    openapi_checks.ensure_resource_availability,
    openapi_checks.ignored_auth,
]


# Loaded from the running app's own /api/schema/ (no database needed to serve it). Not through
# schemathesis.pytest.from_fixture: its lazy loading does not work with pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def in_test_transaction():
    """The WSGI app serves inside the test's transaction, as Django's test client does: the
    per-request connection cleanup would close the connection that holds it."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def catalogue(merchant, make_product, other_merchant) -> None:
    """Something to find: products of two merchants, with photos, in a category tree."""
    make_product("KURTA", photos=[photo("red"), photo("blue")])
    make_product("BOBS", owner=other_merchant, category_path="Home > Lamps")


@pytest.fixture
def raised_rate_limits(settings):
    """Every rate limit on, by its setting, raised past what the run sends: the throttles count
    (in Redis) as in production, and refuse nothing."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "1000000/hour"),
    }


@pytest.fixture(params=["anonymous", "merchant"])
def auth_headers(request, merchant) -> dict[str, str]:
    if request.param == "anonymous":
        return {}
    # A knox token of the merchant, made for this test's examples.
    return {"Authorization": f"Token {create_api_token(merchant, 'Schema fuzzing')[1]}"}


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_conforms_to_the_schema(
    case, auth_headers, catalogue, raised_rate_limits, in_test_transaction
):
    case.call_and_validate(headers=auth_headers, checks=CHECKS)


def test_the_committed_schema_is_the_generated_one(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated), validate=True, fail_on_warn=True)
    assert generated.read_text() == COMMITTED_SCHEMA.read_text(), (
        "docs/openapi.yaml is stale: run `make openapi` and commit it"
    )
