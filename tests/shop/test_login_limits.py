"""Password guessing: after VITRINE_LOGIN_FAILURE_LIMIT wrong passwords an account, and an
address, are locked out for the cool-off, at the site's login, the admin's and the API's."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api_helpers import assert_error

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "pw-shopper-123"  # make_shopper's
ATTACKER, SHOPPER_HOME = "203.0.113.7", "198.51.100.20"


def log_in(username: str, password: str, address: str, url: str = LOGIN):
    # The site's login form names its field "login" (a username or an email), the admin's
    # "username".
    field = "login" if url == LOGIN else "username"
    return Client(REMOTE_ADDR=address).post(url, {field: username, "password": password})


def logged_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def test_an_account_is_locked_after_the_limit_even_for_its_right_password(make_shopper, settings):
    make_shopper("sam"), make_shopper("kim")
    answers = [log_in("sam", f"guess-{n}", ATTACKER).status_code for n in range(30)]
    limit = settings.AXES_FAILURE_LIMIT
    assert answers[: limit - 1] == [200] * (limit - 1)  # the form again, saying it was wrong
    assert set(answers[limit:]) == {429}
    locked = log_in("sam", PASSWORD, SHOPPER_HOME)  # the account: from any address
    assert locked.status_code == 429 and "Too many failed logins" in locked.content.decode()
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert not logged_in(log_in("sam", PASSWORD, ATTACKER))
    # Another account from another address is not touched.
    assert logged_in(log_in("kim", PASSWORD, SHOPPER_HOME))


def test_one_address_guessing_many_accounts_is_locked_out(make_shopper, settings):
    make_shopper("sam")
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(f"user{n}", "guess", ATTACKER)
    assert log_in("sam", PASSWORD, ATTACKER).status_code == 429
    assert logged_in(log_in("sam", PASSWORD, SHOPPER_HOME))


def test_the_lock_lifts_after_the_cool_off(make_shopper, settings):
    make_shopper("sam")
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in("sam", f"guess-{n}", ATTACKER)
    assert log_in("sam", PASSWORD, SHOPPER_HOME).status_code == 429
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert logged_in(log_in("sam", PASSWORD, SHOPPER_HOME))


def test_the_admin_login_is_limited_too(db, settings):
    get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123456")
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in("root", f"guess-{n}", ATTACKER, ADMIN_LOGIN)
    assert log_in("root", "pw-root-123456", SHOPPER_HOME, ADMIN_LOGIN).status_code == 429


def test_the_api_token_endpoint_answers_a_locked_account_with_json(make_shopper, settings):
    make_shopper("sam")
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in("sam", f"guess-{n}", ATTACKER)
    response = APIClient(REMOTE_ADDR=SHOPPER_HOME).post(
        "/api/v1/auth/token/", {"username": "sam", "password": PASSWORD}
    )
    assert_error(response, 429, "throttled")
    assert "Retry-After" in response
