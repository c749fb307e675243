"""The API against its own OpenAPI schema: schemathesis fuzzes every operation over HTTP, against
a live server, anonymously and with a merchant token, with the rate limits on but raised, and
runs every check it has: nothing answers 5xx, every answer (status, content type, headers, body,
Allow) is one the schema describes, a request the schema allows is accepted and one it forbids
refused, a token is not ignored, nor a deleted resource still served. The schema is the
committed docs/openapi.yaml, which the last test shows is the one the code generates (`make
openapi` regenerates it).

Over HTTP rather than through the WSGI app in-process: werkzeug's test client, which that
transport uses, writes an empty multipart field without its line end, and Django then reads the
field as absent (a request the schema forbids would seem accepted)."""

from pathlib import Path

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.core.mutations import render_mutations
from schemathesis.specs.openapi import checks as openapi_checks

from merchant.services import create_api_token
from tests.conftest import jpeg_bytes, photo

pytestmark = pytest.mark.slow  # started first: tests/conftest.py

COLOURS = ["red", "blue", "black", "white"]
COMMITTED_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
# Every check schemathesis has. `object_level_authorization` needs a second merchant's
# credentials in a stateful run: the same property (another merchant's product is not found, nor
# changed) is tested in tests/merchant/test_api_merchant_products.py.
# The rules of a shopper's cart, checkout and orders: a request the schema allows, refused as
# things stand (a product sold out, a cart in another currency, an empty cart, pay on delivery
# before the email is verified, an order shipped already), is a 400 with the rule's code and no
# field at fault. The fuzzer's valid requests meet them (its products are sold out, its
# merchant's email is not verified): refusing those is no fault in the schema.
SHOP_RULES = {
    "bad_transition",
    "choose_variant",
    "email_unverified",
    "empty_cart",
    "mixed_currencies",
    "no_such_variant",
    "not_for_sale",
    "out_of_stock",
    "price_changed",
    "price_on_request",
    "short_stock",
    "too_many_units",
    "too_many_unpaid_orders",
}
SHOPPER_PATHS = ("/api/v1/cart/", "/api/v1/checkout/", "/api/v1/orders/")


def positive_data_acceptance(ctx, response, case) -> bool | None:
    """schemathesis's check (valid data is accepted), but for a shop rule's refusal."""
    if response.status_code == 400 and case.operation.path.startswith(SHOPPER_PATHS):
        error = response.json()["error"]
        if error["code"] in SHOP_RULES and "fields" not in error:
            return None
    return openapi_checks.positive_data_acceptance(ctx, response, case)


CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    positive_data_acceptance,
    openapi_checks.negative_data_rejection,
    openapi_checks.missing_required_header,
    openapi_checks.unsupported_method,
    openapi_checks.allow_header_conformance,
    openapi_checks.use_after_free,
    openapi_checks.ensure_resource_availability,
    openapi_checks.ignored_auth,
]

schema = schemathesis.openapi.from_path(COMMITTED_SCHEMA)


# A file field gets a real photo: no schema can say "the bytes of a decodable JPEG, PNG, WebP or
# GIF image", and random bytes would be refused; the photo checks have tests of their own
# (tests/catalog/test_images.py, tests/search/test_photos.py).
schemathesis.openapi.format("binary", st.builds(jpeg_bytes, st.sampled_from(COLOURS)))


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


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
# The same examples every run (derandomize): a failure shows up in the change that causes it.
@settings(max_examples=2, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_conforms_to_the_schema(
    case, auth_headers, catalogue, raised_rate_limits, live_server
):
    checks = CHECKS
    if _type_changed_in_text(case):
        checks = [check for check in CHECKS if check is not openapi_checks.negative_data_rejection]
    # The first search in a process loads the models: more than requests' default 10 s here.
    case.call_and_validate(
        base_url=live_server.url, headers=auth_headers, checks=checks, timeout=120
    )


def _type_changed_in_text(case) -> bool:
    """A case meant to break the schema by a value's type (a number for a string, a boolean
    for a number), in a query string or a form: both carry only text, so the value reaches the
    API as text it may well accept (5 as "5", false as "false"), and schemathesis 4.32 does not
    always see that its mutation did not survive."""
    data = case.meta.phase.data
    description = " ".join(
        [
            getattr(data, "description", None) or "",
            *render_mutations(getattr(data, "mutations", ())),
        ]
    )
    in_text = case.media_type in (None, "application/x-www-form-urlencoded", "multipart/form-data")
    return in_text and ("Incorrect type" in description or "violates `type`" in description)


def test_the_committed_schema_is_the_generated_one(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated), validate=True, fail_on_warn=True)
    assert generated.read_text() == COMMITTED_SCHEMA.read_text(), (
        "docs/openapi.yaml is stale: run `make openapi` and commit it"
    )
