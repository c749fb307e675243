"""Logging in through django-allauth's form: by username or email, for accounts made before it
too, and under django-axes' limits however the account is named."""

import importlib

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from tests.accounts.conftest import PASSWORD, log_in, logged_in_as

email_addresses_migration = importlib.import_module("accounts.migrations.0001_email_addresses")


def old_style_user(username: str = "sam", email: str = "Sam@Example.com"):
    """An account as the site made them before allauth: no EmailAddress row."""
    return get_user_model().objects.create_user(username, email, PASSWORD)


def test_an_account_made_before_allauth_logs_in_by_username_or_email(db):
    old_style_user()
    assert log_in(Client(), "sam").status_code == 302  # before the migration, by username
    with connection.schema_editor() as schema_editor:
        email_addresses_migration.add_email_addresses(apps, schema_editor)
    for login in ("sam", "Sam", "sam@example.com", "SAM@EXAMPLE.COM"):
        client = Client()
        response = log_in(client, login)
        assert response.status_code == 302, login
        assert logged_in_as(client) == "sam"
    refused = log_in(Client(), "sam", "not-the-password")
    assert refused.status_code == 200
    assert "The username and/or password you specified are not correct." in refused.content.decode()


def test_the_migration_gives_existing_accounts_their_address_unverified(db):
    sam, kim = old_style_user(), old_style_user("kim", "")
    merchant = old_style_user("ann", "ann@example.com")
    EmailAddress.objects.create(user=merchant, email="ann@example.com", verified=True, primary=True)
    with connection.schema_editor() as schema_editor:
        email_addresses_migration.add_email_addresses(apps, schema_editor)
    address = EmailAddress.objects.get(user=sam)
    assert (address.email, address.verified, address.primary) == ("sam@example.com", False, True)
    assert not EmailAddress.objects.filter(user=kim).exists()  # no address given
    assert EmailAddress.objects.get(user=merchant).verified  # one it had is kept as it was


def test_a_login_goes_back_where_the_shopper_was(make_shopper):
    make_shopper("sam")
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "sam", "password": PASSWORD, "next": "/orders/"}
    )
    assert response["Location"] == "/orders/"
    away = Client().post(
        "/accounts/login/", {"login": "sam", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert away.status_code == 302 and "evil" not in away["Location"]


def test_wrong_passwords_count_against_one_account_however_it_is_named(make_shopper, settings):
    make_shopper("sam")
    names = ["sam", "SAM", "sam@example.com", "Sam@Example.COM"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        # Each from its own address: only the account's own count can lock it.
        log_in(Client(REMOTE_ADDR=f"203.0.113.{n}"), names[n % len(names)], f"guess-{n}")
    locked = log_in(Client(REMOTE_ADDR="198.51.100.20"), "sam@example.com")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page and 'href="/accounts/password/reset/"' in page
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert logged_in_as(Client()) is None


def test_a_right_password_clears_the_count(make_shopper, settings):
    make_shopper("sam")
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(Client(REMOTE_ADDR=f"203.0.113.{n}"), "sam", f"guess-{n}")
    assert log_in(Client(), "sam@example.com").status_code == 302
    log_in(Client(REMOTE_ADDR="203.0.113.99"), "sam", "one more guess")
    assert log_in(Client(), "sam").status_code == 302


def test_logging_out_takes_a_post(make_shopper):
    make_shopper("sam")
    client = Client()
    log_in(client, "sam")
    assert "<h1>Log out</h1>" in client.get("/accounts/logout/").content.decode()
    assert logged_in_as(client) == "sam"  # a link followed (or a prefetch) logs nobody out
    assert client.post("/accounts/logout/").status_code == 302
    assert logged_in_as(client) is None
