import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from tests.shop.conftest import make_shopper, shopper, tasks_run_here  # noqa: F401

PASSWORD = "pw-shopper-123"  # make_shopper's


@pytest.fixture
def send(tasks_run_here, django_capture_on_commit_callbacks) -> Callable:  # noqa: F811
    """Do a request; the emails it queues are sent (by the task, run here) once it commits."""

    def request(call: Callable, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return request


def link_in(message: mail.EmailMessage) -> str:
    """The path of the one link an email holds, on the configured site."""
    [url] = re.findall(r"https?://\S+", message.body)
    assert url.startswith("http://127.0.0.1:8000/"), url  # VITRINE_SITE_URL, not the Host
    return urlsplit(url).path


def log_in(client: Client, login: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password})


def logged_in_as(client: Client) -> str | None:
    page = client.get("/").content.decode()
    found = re.search(r"Log out (\w+)", page)
    return found and found.group(1)
