"""What the API tests share: clients, uploads and the error-shape check."""

import io
import uuid

from rest_framework.test import APIClient

from catalog.models import Merchant
from merchant.services import create_api_token


def token_client(merchant: Merchant) -> APIClient:
    """A program's client: token auth, and CSRF enforced as in production."""
    client = APIClient(enforce_csrf_checks=True)
    _, plain_token = create_api_token(merchant, "Tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain_token}")
    return client


def upload(content: bytes, name: str = "photo.jpg") -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def assert_error(response, status: int, code: str, fields: set[str] | None = None) -> dict:
    """The one error shape of every API answer: {"error": {"code", "message", "fields"?}}."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert set(error) <= {"code", "message", "fields"}
    if fields is not None:
        assert set(error["fields"]) == fields and all(error["fields"].values())
    return error


def limit_rates(settings, **rates: str) -> None:
    """Set these rate limits (scope: rate), counted apart from any other test's."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {**settings.CACHES["throttle"], "KEY_PREFIX": uuid.uuid4().hex},
    }


# What a search hit says, in the search API and in "similar products".
HIT_FIELDS = {
    "id",
    "sku",
    "title",
    "price",
    "price_from",
    "currency",
    "url",
    "image",
    "score",
    "why",
}
