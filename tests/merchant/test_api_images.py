"""A product's photos through the API: multipart upload, reorder, delete; own products only."""

import io

import pytest
from PIL import Image

from catalog.models import ProductImage
from tests.api_helpers import assert_error, token_client, upload
from tests.conftest import jpeg_bytes, photo


def images_url(sku: str) -> str:
    return f"/api/v1/merchant/products/{sku}/images/"


def image_url(sku: str, image: ProductImage) -> str:
    return f"{images_url(sku)}{image.pk}/"


@pytest.fixture
def kurta(make_product):
    return make_product("KURTA", photos=[photo("red"), photo("blue"), photo("green")])


def test_upload_adds_photos_after_the_others(merchant, kurta):
    api = token_client(merchant)
    files = [upload(jpeg_bytes("white")), upload(jpeg_bytes("black"))]
    response = api.post(images_url("KURTA"), {"photos": files}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [image["position"] for image in body] == [0, 1, 2, 3, 4]
    assert kurta.images.count() == 5
    assert api.get(images_url("KURTA")).json() == body


def big_png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"plain text", "not_an_image"),
        (jpeg_bytes()[:200], "corrupt_image"),
        (b"GIF89a" + b"\0" * 20_000, "too_large"),
        (big_png((300, 300)), "too_many_pixels"),
    ],
)
def test_a_bad_upload_is_refused_whole(merchant, kurta, settings, content, code):
    settings.VITRINE_MAX_IMAGE_BYTES = 10_000
    settings.VITRINE_MAX_IMAGE_PIXELS = 50_000
    files = [upload(jpeg_bytes("white"), "good.jpg"), upload(content, "bad.png")]
    response = token_client(merchant).post(
        images_url("KURTA"), {"photos": files}, format="multipart"
    )
    error = assert_error(response, 400, code, {"photos"})
    assert error["fields"]["photos"][0].startswith("bad.png: ")
    assert kurta.images.count() == 3


def test_upload_needs_multipart_and_a_photo(merchant, kurta):
    api = token_client(merchant)
    assert_error(
        api.post(images_url("KURTA"), {"photos": []}, format="json"), 415, "unsupported_media_type"
    )
    assert_error(api.post(images_url("KURTA"), {}, format="multipart"), 400, "required", {"photos"})


def test_move_reorders_and_answers_the_new_order(merchant, kurta):
    red, blue, green = kurta.images.all()
    response = token_client(merchant).patch(
        image_url("KURTA", green), {"position": 0}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert [image["id"] for image in response.json()] == [green.pk, red.pk, blue.pk]
    assert list(kurta.images.values_list("pk", flat=True)) == [green.pk, red.pk, blue.pk]


def test_move_checks_the_position(merchant, kurta):
    image = kurta.images.first()
    api = token_client(merchant)
    assert_error(api.patch(image_url("KURTA", image), {"position": -1}), 400, "min_value")
    assert_error(api.patch(image_url("KURTA", image), {}, format="json"), 400, "required")


def test_delete_removes_the_photo_and_closes_the_gap(merchant, kurta):
    red, blue, green = kurta.images.all()
    assert token_client(merchant).delete(image_url("KURTA", red)).status_code == 204
    assert list(kurta.images.values_list("pk", "position")) == [(blue.pk, 0), (green.pk, 1)]


def test_another_merchants_photos_are_not_found(other_merchant, kurta, make_product):
    bob = token_client(other_merchant)
    image = kurta.images.first()
    files = {"photos": [upload(jpeg_bytes())]}
    assert_error(bob.get(images_url("KURTA")), 404, "not_found")
    assert_error(bob.post(images_url("KURTA"), files, format="multipart"), 404, "not_found")
    assert_error(bob.patch(image_url("KURTA", image), {"position": 2}), 404, "not_found")
    assert_error(bob.delete(image_url("KURTA", image)), 404, "not_found")
    # Bob's own SKU with Alice's photo id: still not his photo.
    make_product("BOBS", owner=other_merchant)
    assert_error(bob.delete(image_url("BOBS", image)), 404, "not_found")
    assert kurta.images.count() == 3


def test_anonymous_uploads_answer_401(db, kurta):
    from rest_framework.test import APIClient

    response = APIClient().post(
        images_url("KURTA"), {"photos": [upload(jpeg_bytes())]}, format="multipart"
    )
    assert_error(response, 401, "not_authenticated")
    assert kurta.images.count() == 3
