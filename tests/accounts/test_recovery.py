"""An account recovers: a forgotten password reset by a mailed link, the password changed, the
email address changed by verifying the new one; each change told to the account's address."""

import uuid

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from tests.accounts.conftest import PASSWORD, link_in, log_in, logged_in_as

NEW_PASSWORD = "a brand new pass phrase"


def test_a_forgotten_password_is_reset_by_the_mailed_link(make_shopper, send):
    make_shopper("sam")
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in page
    response = send(client.post, "/accounts/password/reset/", {"email": "SAM@example.com"})
    assert response.status_code == 302
    assert "Check your email" in client.get(response["Location"]).content.decode()
    [message] = mail.outbox
    assert message.to == ["sam@example.com"] and message.subject.startswith("Vitrine: ")
    assert "your username is sam" in message.body

    # The link's key moves into the session, off the address bar, before the form shows.
    form_page = client.get(link_in(message), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    action = form_page.redirect_chain[-1][0]
    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert "Your new password is set." in client.get(done["Location"]).content.decode()

    assert log_in(Client(), "sam", PASSWORD).status_code == 200  # the old one is refused
    fresh = Client()
    assert log_in(fresh, "sam", NEW_PASSWORD).status_code == 302
    assert logged_in_as(fresh) == "sam"
    # The link served once.
    again = Client().get(link_in(message), follow=True).content.decode()
    assert "This link has expired or was used already." in again


def test_a_reset_for_an_unknown_address_mails_nobody_and_says_the_same(db, send):
    client = Client()
    response = send(client.post, "/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302  # the same answer: no telling who has an account
    assert mail.outbox == []


def test_a_reset_link_with_a_forged_key_sets_nothing(shopper):
    page = Client().get("/accounts/password/reset/key/1-forged-key/", follow=True)
    assert "This link has expired or was used already." in page.content.decode()


def test_reset_requests_are_limited_per_address(make_shopper, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "2/m/ip"}
    settings.CACHES = {**settings.CACHES}
    settings.CACHES["default"] = {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}
    make_shopper("sam")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert (
            client.post("/accounts/password/reset/", {"email": "x@example.com"}).status_code == 302
        )
    limited = client.post("/accounts/password/reset/", {"email": "sam@example.com"})
    assert limited.status_code == 429
    assert "One moment, please" in limited.content.decode()
    # Another address has its own count.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert other.post("/accounts/password/reset/", {"email": "sam@example.com"}).status_code == 302


def test_the_password_is_changed_with_the_old_one_and_the_account_told(make_shopper, send):
    make_shopper("sam")
    client = Client()
    log_in(client, "sam")
    wrong = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "Please type your current password." in wrong.content.decode()
    changed = send(
        client.post,
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert logged_in_as(client) == "sam"  # this session goes on
    [notice] = mail.outbox
    assert notice.to == ["sam@example.com"] and "password" in notice.subject.lower()
    assert log_in(Client(), "sam", PASSWORD).status_code == 200
    assert log_in(Client(), "sam", NEW_PASSWORD).status_code == 302


@pytest.fixture
def sam_logged_in(make_shopper) -> Client:
    """Sam, logged in, who has just given the password again (as changing the email asks)."""
    make_shopper("sam")
    client = Client()
    assert log_in(client, "sam").status_code == 302
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    return client


def test_the_email_changes_once_the_new_address_is_verified(sam_logged_in, send):
    client = sam_logged_in
    page = client.get("/accounts/email/").content.decode()
    assert "sam@example.com</strong> (verified)" in page
    response = send(client.post, "/accounts/email/", {"email": "sam@new.example", "action_add": ""})
    assert response.status_code == 302
    [link] = [m for m in mail.outbox if m.to == ["sam@new.example"]]
    # Until the new address is verified, the old one is the account's.
    sam = EmailAddress.objects.get(email="sam@example.com").user
    sam.refresh_from_db()
    assert sam.email == "sam@example.com"
    assert (
        "Changing to: <strong>sam@new.example</strong>"
        in client.get("/accounts/email/").content.decode()
    )

    confirm = client.get(link_in(link))
    assert "Yes, verify it" in confirm.content.decode()
    send(client.post, link_in(link))
    sam.refresh_from_db()
    assert sam.email == "sam@new.example"
    assert list(EmailAddress.objects.filter(user=sam).values_list("email", "verified")) == [
        ("sam@new.example", True)
    ]
    # The old address is told of the change; the account logs in by the new one.
    assert any(m.to == ["sam@example.com"] for m in mail.outbox)
    assert log_in(Client(), "sam@new.example").status_code == 302
    assert log_in(Client(), "sam@example.com").status_code == 200


def test_changing_the_email_asks_for_the_password_again(make_shopper):
    # A session left open (or stolen) cannot move the account to another address.
    make_shopper("sam")
    client = Client()
    log_in(client, "sam")
    response = client.post("/accounts/email/", {"email": "eve@evil.example", "action_add": ""})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="eve@evil.example").exists()
    assert "Confirm it is you" in client.get(response["Location"]).content.decode()
    wrong = client.post("/accounts/reauthenticate/", {"password": "not it"})
    assert wrong.status_code == 200
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    client.post("/accounts/email/", {"email": "sam@elsewhere.example", "action_add": ""})
    assert EmailAddress.objects.filter(email="sam@elsewhere.example", verified=False).exists()


def test_an_address_another_account_has_is_not_taken(sam_logged_in, make_shopper, send):
    kim = make_shopper("kim")
    response = send(
        sam_logged_in.post, "/accounts/email/", {"email": "kim@example.com", "action_add": ""}
    )
    # The same answer as for a free address (no telling whose address it is), but only a
    # mailbox's owner can verify it, and it stays Kim's: Sam keeps the address Sam had.
    assert response.status_code == 302
    verified = EmailAddress.objects.filter(email="kim@example.com", verified=True)
    assert [address.user for address in verified] == [kim]
    sam = EmailAddress.objects.get(email="sam@example.com").user
    assert sam.email == "sam@example.com"
    assert [m.to for m in mail.outbox] == [["kim@example.com"]]
