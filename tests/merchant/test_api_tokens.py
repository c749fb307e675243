"""API tokens: for merchants only, stored as hashes, expiring, named, listed on the dashboard,
shown once, and revocable by their owner alone."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from merchant.models import ApiToken
from tests.api_helpers import assert_error
from tests.processes import project_env, run_python

TOKEN = "/api/v1/auth/token/"
PRODUCTS = "/api/v1/merchant/products/"
TOKENS_PAGE = reverse("merchant:api_tokens")


def obtain(username: str = "alice", password: str = "correct-horse-battery", **extra):
    return APIClient().post(TOKEN, {"username": username, "password": password, **extra})


def new_token(username: str = "alice") -> str:
    response = obtain(username)
    assert response.status_code == 201, response.content
    return response.json()["token"]


def api_get(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(PRODUCTS)


def api_status(token: str) -> int:
    return api_get(token).status_code


def stored(token: str) -> ApiToken:
    """The row of a token, found as knox finds it: by its SHA-512."""
    return ApiToken.objects.get(digest=hashlib.sha512(token.encode()).hexdigest())


def revoke_url(token: str) -> str:
    return reverse("merchant:api_token_revoke", args=[stored(token).token_key])


@pytest.fixture
def alice_page(merchant) -> Client:
    client = Client()
    client.force_login(merchant.user)
    return client


@pytest.fixture
def bob_page(other_merchant) -> Client:
    client = Client()
    client.force_login(other_merchant.user)
    return client


def test_the_database_holds_only_the_tokens_hash(merchant):
    token = new_token()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM merchant_apitoken")
        rows = cursor.fetchall()
    assert len(rows) == 1
    columns = [str(value) for value in rows[0]]
    assert not any(token in value for value in columns)
    # What is kept: the token's SHA-512, and its first characters to find it by.
    row = stored(token)
    assert token.startswith(row.token_key) and len(row.token_key) < len(token) // 4
    assert api_status(token) == 200


def test_a_token_expires_after_the_configured_days(merchant, settings):
    before = timezone.now()
    answer = obtain().json()
    expiry = parse_datetime(answer["expiry"])
    ttl = timedelta(days=settings.VITRINE_API_TOKEN_TTL_DAYS)
    assert before + ttl <= expiry <= timezone.now() + ttl
    assert ApiToken.objects.get().expiry == expiry
    assert api_status(answer["token"]) == 200
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert_error(api_get(answer["token"]), 401, "authentication_failed")
    assert not ApiToken.objects.exists()  # an expired token is deleted when next shown


def test_the_token_lifetime_comes_from_the_environment_and_cannot_be_endless(tmp_path):
    show = "import vitrine.settings as s; print(s.REST_KNOX['TOKEN_TTL'].days)"
    env = {"VITRINE_DATA_DIR": str(tmp_path)}
    week = run_python(show, project_env(**env, VITRINE_API_TOKEN_TTL_DAYS="7"))
    assert week.returncode == 0, week.stderr
    assert week.stdout.strip() == "7"
    endless = run_python(show, project_env(**env, VITRINE_API_TOKEN_TTL_DAYS="0"))
    assert endless.returncode != 0
    assert "VITRINE_API_TOKEN_TTL_DAYS must be at least 1" in endless.stderr


def test_a_shopper_gets_no_token(db):
    get_user_model().objects.create_user("sam", password="pw-shopper-123")
    error = assert_error(obtain("sam", "pw-shopper-123"), 403, "not_a_merchant")
    assert "merchant" in error["message"]
    assert not ApiToken.objects.exists()


def test_a_named_token_is_listed_and_its_token_shown_once(alice_page):
    created = alice_page.post(TOKENS_PAGE, {"name": "Nightly stock sync"})
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    token = created.context["plain_token"]
    page = created.content.decode()
    assert f'value="{token}"' in page and "shown only this once" in page
    assert api_status(token) == 200
    listed = alice_page.get(TOKENS_PAGE).content.decode()
    assert "Nightly stock sync" in listed and ApiToken.objects.get().token_key in listed
    assert token not in listed


def test_the_list_shows_when_a_token_was_last_used(alice_page):
    token = new_token()
    assert "Never" in alice_page.get(TOKENS_PAGE).content.decode()
    assert api_status(token) == 200
    used = ApiToken.objects.get().last_used
    assert used is not None
    assert api_status(token) == 200
    assert ApiToken.objects.get().last_used == used  # not written again within the minute
    assert "Never" not in alice_page.get(TOKENS_PAGE).content.decode()


def test_a_nameless_token_is_refused(alice_page):
    response = alice_page.post(TOKENS_PAGE, {"name": "  "})
    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert response.context["plain_token"] is None
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token_from_the_dashboard(alice_page):
    token, other = new_token(), new_token()
    response = alice_page.post(revoke_url(token))
    assert response.status_code == 302 and response["Location"] == TOKENS_PAGE
    assert_error(api_get(token), 401, "authentication_failed")
    assert api_status(other) == 200  # only that one


def test_another_merchant_cannot_revoke_or_see_it(alice_page, bob_page):
    token = new_token()
    url = revoke_url(token)
    assert bob_page.post(url).status_code == 404
    assert api_status(token) == 200
    key = ApiToken.objects.get().token_key
    assert key not in bob_page.get(TOKENS_PAGE).content.decode()
    assert key in alice_page.get(TOKENS_PAGE).content.decode()


def test_revoking_needs_a_post_with_the_csrf_token(merchant):
    token = new_token()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(merchant.user)
    assert browser.get(revoke_url(token)).status_code == 405
    assert browser.post(revoke_url(token)).status_code == 403
    assert api_status(token) == 200


def test_a_shopper_has_no_tokens_page(db):
    shopper = get_user_model().objects.create_user("sam", password="pw-shopper-123")
    client = Client()
    client.force_login(shopper)
    assert client.get(TOKENS_PAGE).status_code == 403


def test_a_merchant_holds_a_limited_number_of_live_tokens(alice_page, settings):
    settings.VITRINE_API_TOKENS_PER_MERCHANT = 2
    first, second = new_token(), new_token()
    assert_error(obtain(), 403, "token_limit")
    refused = alice_page.post(TOKENS_PAGE, {"name": "Third"})
    assert "revoke one" in refused.content.decode() and refused.context["plain_token"] is None
    assert ApiToken.objects.count() == 2
    # An expired token no longer counts; neither does a revoked one.
    ApiToken.objects.filter(pk=stored(first).pk).update(
        expiry=timezone.now() - timedelta(seconds=1)
    )
    new_token()
    assert_error(obtain(), 403, "token_limit")
    alice_page.post(revoke_url(second))
    assert obtain().status_code == 201


def test_plain_drf_tokens_are_dropped_by_the_migration(db):
    """Tokens of DRF's authtoken app were plain text: the migration removes their table."""
    executor = MigrationExecutor(connection)
    executor.migrate([("merchant", "0001_api_tokens")])
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef')")
    executor = MigrationExecutor(connection)
    executor.migrate([("merchant", "0002_drop_plain_drf_tokens")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('authtoken_token')")
        assert cursor.fetchone() == (None,)


def test_staff_see_and_revoke_tokens_in_the_admin_but_never_make_one(merchant, django_user_model):
    token = new_token()
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    changelist = admin.get("/admin/merchant/apitoken/").content.decode()
    assert stored(token).token_key in changelist and token not in changelist
    assert admin.get("/admin/merchant/apitoken/add/").status_code == 403
    delete = f"/admin/merchant/apitoken/{stored(token).pk}/delete/"
    assert admin.post(delete, {"post": "yes"}).status_code == 302
    assert api_status(token) == 401
