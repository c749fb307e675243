"""The API against its own OpenAPI schema: schemathesis fuzzes every operation of the live
schema (in-process, through the WSGI app) and checks that nothing answers 5xx and that every
answer (status, content type, headers, body) is one the schema describes. And the committed
docs/openapi.yaml is the schema the code generates (`make openapi` regenerates it)."""

from pathlib import Path

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from merchant.services import create_api_token
from tests.conftest import photo

COMMITTED_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
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
def merchant_token(merchant) -> str:
    """A knox token of the merchant, made once for all of a test's examples."""
    return create_api_token(merchant, "Schema fuzzing")[1]


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_conforms_to_the_schema(case, merchant_token, catalogue, in_test_transaction):
    case.call_and_validate(headers={"Authorization": f"Token {merchant_token}"}, checks=CHECKS)


def test_the_committed_schema_is_the_generated_one(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated), validate=True, fail_on_warn=True)
    assert generated.read_text() == COMMITTED_SCHEMA.read_text(), (
        "docs/openapi.yaml is stale: run `make openapi` and commit it"
    )
