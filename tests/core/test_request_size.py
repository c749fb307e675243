"""Request bodies over VITRINE_MAX_REQUEST_BYTES are refused with 413 before they are read."""

import io
import json

import pytest
from django.test import Client

from tests.api_helpers import assert_error

LIMIT = 100_000
SEARCH_API, SEARCH_PAGE = "/api/v1/search/", "/search/"


class EndlessBody(io.RawIOBase):
    """A client that keeps sending: counts what the server reads of it."""

    def __init__(self):
        self.sent = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"x" * len(buffer)
        self.sent += len(buffer)
        return len(buffer)


class UnreadBody(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise AssertionError("the body was read")


@pytest.fixture(autouse=True)
def limit(settings):
    settings.VITRINE_MAX_REQUEST_BYTES = LIMIT


def post(path: str, body, **headers):
    environ = {"wsgi.input": body, "CONTENT_TYPE": "application/json", **headers}
    return Client().generic("POST", path, **environ)


def test_a_body_declared_over_the_limit_is_refused_unread(db):
    response = post(SEARCH_API, UnreadBody(), CONTENT_LENGTH=str(LIMIT + 1))
    error = assert_error(response, 413, "request_too_large")
    assert "larger than the limit of 0.0954 MB" in error["message"]
    page = post(SEARCH_PAGE, UnreadBody(), CONTENT_LENGTH=str(10**9))
    assert page.status_code == 413 and page["Content-Type"].startswith("text/html")
    assert "larger than 0.0954 MB" in page.content.decode()


def test_a_chunked_body_is_read_no_further_than_the_limit(db):
    body = EndlessBody()
    response = post(SEARCH_API, body, CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")
    assert_error(response, 413, "request_too_large")
    assert LIMIT < body.sent <= LIMIT + 64 * 1024


def test_a_chunked_body_within_the_limit_is_read_as_usual(db):
    query = json.dumps({"q": "x" * 300}).encode()  # a query too long: refused, so it was read
    response = post(
        SEARCH_API, io.BytesIO(query), CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert_error(response, 400, "invalid_query", {"q"})


def test_a_body_at_the_limit_passes(db):
    query = json.dumps({"q": "x" * 300}).encode()
    assert post(SEARCH_API, io.BytesIO(query), CONTENT_LENGTH=str(len(query))).status_code == 400
