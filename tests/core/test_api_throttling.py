"""Rate limits: counted in Redis, per address for anonymous clients, per account (and higher)
for authenticated ones; 429 with Retry-After beyond them."""

import uuid

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from core.throttling import AnonSearchThrottle
from tests.api_helpers import assert_error, token_client

SEARCH = "/api/v1/search/"
QUERY = {"q": "x" * 300}  # refused at once (400), so no model is loaded; still counted


@pytest.fixture
def rates(settings):
    """Small limits, counted apart from any other test's."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anon": "5/min",
            "user": "20/min",
            "search_anon": "2/min",
            "search_user": "4/min",
            "token": "2/min",
        },
    }
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {**settings.CACHES["throttle"], "KEY_PREFIX": uuid.uuid4().hex},
    }


def test_anonymous_search_is_limited_per_address(db, rates):
    client = APIClient()
    for _ in range(2):
        assert client.get(SEARCH, QUERY).status_code == 400
    response = client.get(SEARCH, QUERY)
    error = assert_error(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60
    assert "available in" in error["message"]
    # Another address has its own count; a made-up X-Forwarded-For is not one.
    assert client.get(SEARCH, QUERY, REMOTE_ADDR="10.0.0.2").status_code == 400
    spoofed = client.get(SEARCH, QUERY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert spoofed.status_code == 429


def test_the_count_lives_in_the_shared_cache(db, rates):
    APIClient().get(SEARCH, QUERY)
    throttle = AnonSearchThrottle()
    key = throttle.cache_format % {"scope": "search_anon", "ident": "127.0.0.1"}
    # What another web process would read: the same Redis key.
    assert len(caches["throttle"].get(key)) == 1


def test_an_account_gets_a_higher_limit(merchant, rates):
    client = token_client(merchant)
    for _ in range(4):
        assert client.get(SEARCH, QUERY).status_code == 400
    assert_error(client.get(SEARCH, QUERY), 429, "throttled")
    # Anonymous searches from the same address were not used up by the account.
    assert APIClient().get(SEARCH, QUERY).status_code == 400


def test_other_endpoints_have_their_own_limits(merchant, rates):
    anonymous = APIClient()
    for _ in range(5):
        assert anonymous.get("/api/v1/categories/").status_code == 200
    assert_error(anonymous.get("/api/v1/categories/"), 429, "throttled")
    assert token_client(merchant).get("/api/v1/categories/").status_code == 200


def test_password_guesses_are_limited(merchant, rates):
    client = APIClient()
    for _ in range(2):
        client.post("/api/v1/auth/token/", {"username": "alice", "password": "guess"})
    good = {"username": "alice", "password": "correct-horse-battery"}
    assert_error(client.post("/api/v1/auth/token/", good), 429, "throttled")


def test_without_redis_the_api_still_answers(db, rates, settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {**settings.CACHES["throttle"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    for _ in range(3):
        assert APIClient().get(SEARCH, QUERY).status_code == 400
    assert "throttling is off while Redis fails" in caplog.text
