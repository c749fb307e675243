"""Uploaded files under MEDIA_URL: streamed from the default storage with caching headers,
with debug off, and nothing outside the media folder."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.http import http_date

from core.urls import media_patterns

PHOTO = b"\xff\xd8\xff\xe0 not really a jpeg, but stored bytes all the same"


@pytest.fixture
def stored_photo(settings, tmp_path) -> str:
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "secret_key").write_text("outside the media folder")
    return default_storage.save("products/7/0123abcd.jpg", ContentFile(PHOTO))


def test_a_stored_photo_is_served_with_debug_off_and_cached_for_good(
    client, settings, stored_photo
):
    assert settings.DEBUG is False
    response = client.get(f"/media/{stored_photo}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PHOTO
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Length"] == str(len(PHOTO))
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", f"max-age={settings.VITRINE_MEDIA_MAX_AGE}", "immutable"}
    assert response["ETag"] and response["Last-Modified"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_browser_that_has_it_is_told_304(client, stored_photo):
    first = client.get(f"/media/{stored_photo}")
    again = client.get(f"/media/{stored_photo}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    since = client.get(f"/media/{stored_photo}", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    stale = client.get(f"/media/{stored_photo}", HTTP_IF_NONE_MATCH='"another-version"')
    assert stale.status_code == 200


def test_a_changed_file_gets_a_new_etag(client, stored_photo, settings):
    first = client.get(f"/media/{stored_photo}")["ETag"]
    (settings.MEDIA_ROOT / stored_photo).write_bytes(PHOTO + b"more")
    second = client.get(f"/media/{stored_photo}", HTTP_IF_NONE_MATCH=first)
    assert second.status_code == 200 and second["ETag"] != first


def test_head_is_answered_and_writes_are_refused(client, stored_photo):
    assert client.head(f"/media/{stored_photo}").status_code == 200
    assert client.post(f"/media/{stored_photo}").status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/media/../secret_key",
        "/media/%2e%2e/secret_key",
        "/media/..%2fsecret_key",
        "/media/products/../../secret_key",
        "/media//etc/passwd",
        "/media/products/./7/0123abcd.jpg",
        "/media/products\\7\\0123abcd.jpg",
        "/media/products/7/0123abcd.jpg%00",
        "/media/products/7",
        "/media/products/7/missing.jpg",
    ],
)
def test_nothing_outside_a_stored_file_is_served(client, stored_photo, path):
    assert client.get(path).status_code == 404


def test_unmodified_since_a_later_date_is_also_304(client, stored_photo):
    response = client.get(f"/media/{stored_photo}", HTTP_IF_MODIFIED_SINCE=http_date())
    assert response.status_code == 304


def test_media_on_an_object_store_gets_no_local_route():
    assert media_patterns("https://cdn.example.com/media/") == []
    assert media_patterns("//cdn.example.com/media/") == []
    (route,) = media_patterns("/uploads/")
    assert route.pattern.match("uploads/products/1/a.jpg")
