"""API-wide behaviour: tokens, JSON errors whatever layer makes them, the schema and docs."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from catalog import services
from tests.api_helpers import assert_error

TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def client() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


def test_a_token_for_username_and_password_opens_the_merchant_api(client, merchant):
    response = client.post(
        TOKEN, {"username": "alice", "password": "correct-horse-battery"}, format="json"
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert set(answer) == {"token", "name", "expiry"}
    # Each request makes a new token, for form posts as for JSON; both open the API.
    again = client.post(
        TOKEN, {"username": "alice", "password": "correct-horse-battery", "name": "Sync"}
    )
    assert again.status_code == 201 and again.json()["name"] == "Sync"
    assert again.json()["token"] != answer["token"]
    for token in (answer["token"], again.json()["token"]):
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get("/api/v1/merchant/products/").status_code == 200


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        # Well-formed but wrong: refused, not malformed.
        ({"username": "alice", "password": "wrong"}, 403, "invalid_credentials"),
        ({"username": "nobody", "password": "correct-horse-battery"}, 403, "invalid_credentials"),
        ({"username": "alice"}, 400, "required"),
        ({"username": "a" * 151, "password": "x"}, 400, "max_length"),
    ],
)
def test_bad_credentials_are_refused(client, merchant, data, status, code):
    assert_error(client.post(TOKEN, data, format="json"), status, code)


def test_an_account_that_cannot_log_in_gets_no_token(client, db):
    services.create_merchant("nopass", None)
    assert_error(client.post(TOKEN, {"username": "nopass", "password": ""}), 400, "blank")


@pytest.mark.parametrize("path", ["/api/nothing/", "/api/v1/products/abc/", "/api/v1/merchant/x/"])
def test_an_unknown_api_address_answers_json_404(client, db, path):
    error = assert_error(client.get(path), 404, "not_found")
    assert error["message"] == "There is no API resource at this address."


def test_an_unknown_address_outside_the_api_stays_a_page(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_json_404_also_in_debug(client, db, settings):
    settings.DEBUG = True
    assert_error(client.get("/api/v1/nothing-here/"), 404, "not_found")


def test_method_not_allowed_keeps_allow(client, db):
    response = client.put("/api/v1/categories/", {}, format="json")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_unsupported_media_type_is_415(client, merchant):
    client.force_authenticate(merchant.user)
    response = client.post("/api/v1/merchant/bulk/products/", "sku=A", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_a_body_over_the_limit_is_413(client, merchant, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_authenticate(merchant.user)
    products = [{"sku": f"S{i}", "title": "x" * 100} for i in range(20)]
    response = client.post("/api/v1/merchant/bulk/products/", {"products": products}, format="json")
    assert_error(response, 413, "request_too_large")


def test_a_crash_outside_drf_is_a_json_500(db, settings, caplog):
    """Django's own 500, from a plain view that fails, is JSON under /api/ too."""
    settings.ROOT_URLCONF = "tests.core.broken_urls"
    response = Client(raise_request_exception=False).get("/api/broken/")
    assert_error(response, 500, "server_error")
    assert "the view broke" in caplog.text


def test_the_schema_is_served_and_names_the_api(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Vitrine API"
    assert "/api/v1/merchant/products/{sku}/images/" in schema["paths"]
    assert "/api/v1/search/" in schema["paths"]


def test_the_docs_page_loads_nothing_from_elsewhere(client, db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert all(source.startswith("/") for source in sources), sources
    assert "cdn" not in page.lower()
