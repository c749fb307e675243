"""Rate limits: counted in Redis (per process while it fails), per address for anonymous
clients, per account (and higher) for authenticated ones; 429 with Retry-After beyond them, for
the API and the pages alike."""

import uuid

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from core.throttling import LOCAL_COUNTS, AnonSearchThrottle
from tests.api_helpers import assert_error, token_client

SEARCH = "/api/v1/search/"
PAGE = "/search/"
SIGNUP = "/accounts/signup/"
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
            "photo_search_anon": "1/min",
            "photo_search_user": "2/min",
            "token": "2/min",
            "signup": "2/min",
            "suggest_anon": "3/min",
            "suggest_user": "6/min",
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


def test_suggestions_have_a_limit_of_their_own_that_spends_no_searches(db, rates):
    client = APIClient()
    for _ in range(3):
        assert client.get("/api/v1/search/suggest/", {"q": "x"}).status_code == 200
    assert_error(client.get("/api/v1/search/suggest/", {"q": "x"}), 429, "throttled")
    assert client.get(SEARCH, QUERY).status_code == 400  # the searches were not spent


def test_password_guesses_are_limited(merchant, rates):
    client = APIClient()
    for _ in range(2):
        client.post("/api/v1/auth/token/", {"username": "alice", "password": "guess"})
    good = {"username": "alice", "password": "correct-horse-battery"}
    assert_error(client.post("/api/v1/auth/token/", good), 429, "throttled")


def test_without_redis_limits_are_counted_per_process(db, rates, settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {**settings.CACHES["throttle"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    LOCAL_COUNTS.clear()
    for _ in range(2):
        assert APIClient().get(SEARCH, QUERY).status_code == 400
    # Still answering, but no longer letting everything through.
    assert_error(APIClient().get(SEARCH, QUERY), 429, "throttled")
    assert APIClient().get(SEARCH, QUERY, REMOTE_ADDR="10.0.0.2").status_code == 400
    assert "counted per process while Redis fails" in caplog.text


def test_the_search_page_shares_the_search_limit(db, rates):
    page = Client()
    assert page.get(PAGE).status_code == 200
    assert APIClient().get(SEARCH, QUERY).status_code == 400  # the same count: 2 of 2
    response = page.get(PAGE)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "try again in" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_photo_searches_have_a_tighter_limit_of_their_own(db, rates, settings):
    limits = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**limits, "search_anon": "4/min"},
    }
    photo = {"q": "shirt", "photo": SimpleUploadedFile("a.jpg", b"not a photo", "image/jpeg")}
    assert Client().post(PAGE, photo).status_code == 400  # counted, then refused as no image
    photo["photo"].seek(0)
    assert Client().post(PAGE, photo).status_code == 429
    api_photo = {"image": SimpleUploadedFile("a.jpg", b"not a photo", "image/jpeg")}
    assert_error(APIClient().post(SEARCH, api_photo, format="multipart"), 429, "throttled")
    # Text searches still have room (3 of 4 counted).
    assert Client().get(PAGE).status_code == 200


def test_sign_ups_are_limited_per_address(db, rates):
    for _ in range(2):
        assert Client().post(SIGNUP, {"username": "x"}).status_code == 200  # form errors
    response = Client().post(SIGNUP, {"username": "x"})
    assert response.status_code == 429 and "try again in" in response.content.decode()
    assert Client().get(SIGNUP).status_code == 200  # the form itself is not counted
    assert Client(REMOTE_ADDR="10.0.0.3").post(SIGNUP, {"username": "x"}).status_code == 200
