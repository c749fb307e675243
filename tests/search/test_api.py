"""The search REST API over the real database and the real encoders."""

import io
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from PIL import Image
from rest_framework.test import APIClient

from catalog.models import Product, ProductImage
from core.api_errors import json_exception_handler
from search.indexing import embed_stale
from search.models import ProductIndex
from tests.api_helpers import HIT_FIELDS, assert_error, upload
from tests.conftest import DATASET_IMAGES, dataset_photo, jpeg_bytes

URL = "/api/v1/search/"


@pytest.fixture
def client() -> APIClient:
    # As strict as production: an anonymous POST must pass without a CSRF token.
    return APIClient(enforce_csrf_checks=True)


@pytest.fixture
def catalogue(make_product, encoder) -> dict[str, Product]:
    products = {
        "kurta": make_product(
            "KURTA",
            title="Mother Earth Women Red Kurta",
            price=Decimal("25.00"),
            stock=3,
            photos=[dataset_photo(12783)],
        ),
        "nightdress": make_product(
            "NIGHT",
            title="Femella Women Blue Nightdress",
            price=Decimal("15.00"),
            stock=2,
            category_path="Apparel > Loungewear and Nightwear",
            photos=[dataset_photo(39239)],
        ),
        "watch": make_product(
            "WATCH",
            title="Puma Men Black Analog Watch",
            price=Decimal("120.00"),
            stock=0,
            category_path="Accessories > Watches",
            photos=[dataset_photo(11645)],
        ),
        "shoes": make_product(
            "SHOES",
            title="Vans Men Black Casual Shoes",
            price=None,  # price on request
            stock=5,
            category_path="Footwear > Shoes",
            photos=[],
        ),
    }
    embed_stale(encoder)
    return products


def skus(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [hit["sku"] for hit in response.json()["results"]]


def test_a_text_query_finds_the_matching_product_first(client, catalogue):
    response = client.get(URL, {"q": "red kurta for women"})
    body = response.json()
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert set(body) == {
        "count",
        "corrected_query",
        "added_terms",
        "results",
        "related",
        "facets",
        "took_ms",
        "token",
        "notice",
    }
    assert body["corrected_query"] is None
    # No ranking is trained: every candidate counts as a match, none is left to fill the page.
    assert body["count"] == len(catalogue) and body["related"] == [] and body["took_ms"] >= 0
    first = body["results"][0]
    kurta = catalogue["kurta"]
    assert set(first) == HIT_FIELDS
    assert (first["sku"], first["title"]) == ("KURTA", "Mother Earth Women Red Kurta")
    assert (first["price"], first["price_from"], first["currency"]) == ("25.00", "25.00", "USD")
    assert first["url"] == f"http://testserver{kurta.get_absolute_url()}"
    assert first["image"] == f"http://testserver{kurta.images.get().image.url}"
    assert isinstance(first["score"], float)
    assert "text" in first["why"] and "keywords" in first["why"]


def test_a_product_without_price_or_photo_answers_null(client, catalogue):
    [first, *_] = client.get(URL, {"q": "black casual shoes"}).json()["results"]
    assert first["sku"] == "SHOES"
    assert first["price"] is None and first["price_from"] is None and first["image"] is None


def test_the_first_photo_by_position_is_the_image(client, make_product, encoder):
    product = make_product(photos=[dataset_photo(12783), dataset_photo(39239)])
    added_first, added_second = product.images.order_by("id")
    ProductImage.objects.filter(pk=added_first.pk).update(position=added_second.position + 1)
    embed_stale(encoder)
    [hit] = client.get(URL, {"q": "kurta"}).json()["results"]
    assert hit["image"] == f"http://testserver{added_second.image.url}"


def test_a_photo_upload_finds_the_product_it_shows(client, catalogue):
    # Another watch's photo, from the same catalogue: no words at all.
    photo = (DATASET_IMAGES / "37330.jpg").read_bytes()
    response = client.post(URL, {"image": upload(photo), "limit": "2"}, format="multipart")
    body = response.json()
    assert response.status_code == 200, body
    assert body["count"] == len(catalogue) and len(body["results"]) == 2
    assert body["results"][0]["sku"] == "WATCH"
    assert "photo" in body["results"][0]["why"]


@pytest.mark.parametrize("body_format", ["json", "urlencoded"])
def test_a_post_with_text_only_searches_too(client, catalogue, body_format):
    if body_format == "json":
        response = client.post(URL, {"q": "blue nightdress"}, format="json")
    else:
        body = "q=blue+nightdress"
        response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert skus(response)[0] == "NIGHT"


def test_a_multipart_post_is_a_photo_search_and_needs_the_photo(client, db):
    response = client.post(URL, {"q": "blue nightdress"}, format="multipart")
    assert_error(response, 400, "invalid_image", {"image"})


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "apparel"}, {"KURTA", "NIGHT"}),  # with its descendants
        ({"category": "apparel/topwear"}, {"KURTA"}),
        ({"min_price": "20"}, {"KURTA", "WATCH"}),  # no price never matches a price range
        ({"min_price": "20", "max_price": "100.00"}, {"KURTA"}),
        ({"in_stock": "true"}, {"KURTA", "NIGHT", "SHOES"}),
        ({"in_stock": "true", "max_price": "20"}, {"NIGHT"}),
        ({"in_stock": "false"}, {"KURTA", "NIGHT", "WATCH", "SHOES"}),
        ({"in_stock": "false", "category": ""}, {"KURTA", "NIGHT", "WATCH", "SHOES"}),
        ({"min_price": "50", "max_price": "10"}, set()),  # a range that holds no price
        ({"min_price": "null", "max_price": ""}, {"KURTA", "NIGHT", "WATCH", "SHOES"}),
    ],
)
def test_filters_leave_out_what_they_should(client, catalogue, filters, expected):
    assert set(skus(client.get(URL, {"q": "men women clothes", **filters}))) == expected


def test_filters_apply_to_photo_searches_too(client, catalogue):
    photo = (DATASET_IMAGES / "37330.jpg").read_bytes()
    data = {"image": upload(photo), "category": "apparel", "in_stock": "true"}
    assert set(skus(client.post(URL, data, format="multipart"))) == {"KURTA", "NIGHT"}


def test_limit_and_offset_page_through_one_ranking(client, catalogue):
    everything = skus(client.get(URL, {"q": "black", "limit": 100}))
    assert len(everything) == len(catalogue)
    pages = [client.get(URL, {"q": "black", "limit": 3, "offset": offset}) for offset in (0, 3)]
    assert [skus(page) for page in pages] == [everything[:3], everything[3:]]
    assert {page.json()["count"] for page in pages} == {len(catalogue)}
    assert skus(client.get(URL, {"q": "black", "offset": 50})) == []


def test_a_draft_product_never_appears(client, catalogue, make_product, encoder):
    draft = make_product("DRAFT", title="Secret Golden Tiara", status=Product.Status.DRAFT)
    embed_stale(encoder)
    assert ProductIndex.objects.get(product=draft).text_vector is not None  # indexed, yet hidden
    assert "DRAFT" not in skus(client.get(URL, {"q": "Secret Golden Tiara"}))
    photo = (DATASET_IMAGES / "37330.jpg").read_bytes()
    data = {"image": upload(photo), "q": "golden tiara"}
    assert "DRAFT" not in skus(client.post(URL, data, format="multipart"))


@pytest.mark.parametrize(
    ("params", "code", "fields"),
    [
        ({}, "empty_query", None),
        ({"q": "   "}, "empty_query", None),
        ({"q": "x" * 201}, "invalid_query", {"q"}),
        ({"q": "kurta", "limit": "0"}, "invalid_limit", {"limit"}),
        ({"q": "kurta", "limit": "101"}, "invalid_limit", {"limit"}),
        ({"q": "kurta", "limit": "ten"}, "invalid_limit", {"limit"}),
        ({"q": "kurta", "offset": "-1"}, "invalid_offset", {"offset"}),
        ({"q": "kurta", "min_price": "cheap"}, "invalid_price", {"min_price"}),
        ({"q": "kurta", "max_price": "-5"}, "invalid_price", {"max_price"}),
        ({"q": "kurta", "in_stock": "maybe"}, "invalid_in_stock", {"in_stock"}),
        # The schema's booleans are true and false, not DRF's other spellings.
        ({"q": "kurta", "in_stock": "1"}, "invalid_in_stock", {"in_stock"}),
        ({"q": "kurta", "exact": "yes"}, "invalid_exact", {"exact"}),
        ({"q": "kurta\x00"}, "invalid_query", {"q"}),
    ],
)
def test_bad_parameters_answer_400_with_a_code(client, db, params, code, fields):
    error = assert_error(client.get(URL, params), 400, code, fields)
    if fields is None:
        assert "fields" not in error
    body = urlencode(params)
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.json()["error"]["code"] == code


def test_an_unknown_category_is_not_found(client, db):
    response = client.get(URL, {"q": "kurta", "category": "apparel/no-such-thing"})
    assert_error(response, 404, "unknown_category")


def test_the_first_bad_parameter_names_the_error_and_all_are_listed(client, db):
    response = client.get(URL, {"q": "kurta", "limit": "0", "offset": "-1"})
    error = assert_error(response, 400, "invalid_limit")
    assert error["message"].startswith("limit: ")
    assert set(error["fields"]) == {"limit", "offset"}


def test_an_existing_category_with_its_slash_and_case_is_found(client, catalogue):
    assert set(skus(client.get(URL, {"q": "dress", "category": "/Apparel/Topwear/"}))) == {"KURTA"}


def oversized_pixels_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (300, 300)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"just some text, not a photo", "not an image"),
        (jpeg_bytes()[:200], "truncated or corrupt"),
        (b"", "empty"),
        (b"GIF89a" + b"\0" * 20_000, "larger than"),
        (oversized_pixels_png(), "pixels"),
    ],
)
def test_a_bad_upload_answers_400_saying_why(client, db, settings, content, words):
    settings.VITRINE_MAX_IMAGE_BYTES = 10_000
    settings.VITRINE_MAX_IMAGE_PIXELS = 50_000
    response = client.post(URL, {"image": upload(content)}, format="multipart")
    error = assert_error(response, 400, "invalid_image", {"image"})
    assert words in error["message"]


def test_an_image_sent_as_text_is_refused(client, db):
    assert_error(client.post(URL, {"image": "photo.jpg"}), 400, "invalid_image", {"image"})


def test_other_request_errors_keep_the_shape(client, db):
    assert_error(client.put(URL, {"q": "kurta"}), 405, "method_not_allowed")
    broken = client.post(URL, "{not json", content_type="application/json")
    assert_error(broken, 400, "parse_error")
    assert_error(
        client.post(URL, "q=kurta", content_type="text/plain"), 415, "unsupported_media_type"
    )


def test_a_browser_gets_json_outside_debug(client, catalogue):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(URL, {"q": "kurta"}, HTTP_ACCEPT=accept)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_a_body_over_django_limit_answers_413(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post(URL, {"q": "kurta " * 30}, format="json")
    assert_error(response, 413, "request_too_large")


def test_an_unexpected_error_is_a_logged_json_500(caplog):
    response = json_exception_handler(RuntimeError("the index is gone"), {"request": None})
    assert response.status_code == 500
    assert response.data == {
        "error": {
            "code": "server_error",
            "message": "Something went wrong on our side; please try again.",
        }
    }
    assert "the index is gone" in caplog.text


def test_a_typo_is_corrected_to_the_catalogues_word_and_said_so(client, catalogue):
    body = client.get(URL, {"q": "womens kruta"}).json()
    assert body["corrected_query"] == "womens kurta"
    assert body["results"][0]["sku"] == "KURTA"
    exact = client.get(URL, {"q": "womens kruta", "exact": "true"}).json()
    assert exact["corrected_query"] is None


def test_a_limit_of_100_returns_100_when_that_many_match(client, make_product, encoder):
    for number in range(120):
        make_product(f"K-{number}", title=f"Plain cotton kurta {number}", photos=[])
    embed_stale(encoder)
    body = client.get(URL, {"q": "kurta", "limit": 100}).json()
    assert len(body["results"]) == 100 and body["count"] >= 100
    rest = client.get(URL, {"q": "kurta", "limit": 100, "offset": 100}).json()
    # The pages of one limit share one ranking and one count.
    assert rest["count"] == body["count"] and len(rest["results"]) == body["count"] - 100
    assert {r["sku"] for r in body["results"]}.isdisjoint(r["sku"] for r in rest["results"])


def test_the_option_filter_keeps_products_with_that_option_in_stock(client, catalogue, encoder):
    from catalog.services import save_product
    from catalog.variants import VariantSpec

    # The kurta's M is sold out, its L in stock; the shoes come in 42 only.
    save_product(
        catalogue["kurta"],
        variants=[
            VariantSpec("KURTA-M", {"size": "M"}, None, 0),
            VariantSpec("KURTA-L", {"size": "L"}, None, 2),
        ],
    )
    save_product(catalogue["shoes"], variants=[VariantSpec("SHOES-42", {"size": "42"}, None, 5)])
    embed_stale(encoder)
    query = {"q": "men women clothes"}
    assert set(skus(client.get(URL, {**query, "option": "size:L"}))) == {"KURTA"}
    assert set(skus(client.get(URL, {**query, "option": " Size : l "}))) == {"KURTA"}
    assert set(skus(client.get(URL, {**query, "option": "size:M"}))) == set()
    assert set(skus(client.get(URL, {**query, "option": "size:42"}))) == {"SHOES"}
    assert set(skus(client.get(URL, {**query, "option": "colour:L"}))) == set()
    assert_error(client.get(URL, {**query, "option": "size"}), 400, "invalid_option", {"option"})


def test_the_search_page_takes_the_option_filter_too(client, catalogue, encoder):
    from catalog.services import save_product
    from catalog.variants import VariantSpec

    save_product(catalogue["kurta"], variants=[VariantSpec("KURTA-L", {"size": "L"}, None, 2)])
    embed_stale(encoder)
    page = client.get("/search/", {"q": "women clothes", "option": "size:L"})
    text = page.content.decode()
    assert page.status_code == 200 and "Mother Earth Women Red Kurta" in text
    assert "Femella Women Blue Nightdress" not in text
    assert 'name="option" value="size:L"' in text  # kept in the form, and in facet links
    page = client.get("/search/", {"q": "women clothes", "option": "size"})
    assert page.status_code == 400 and "Write an option as name:value" in page.content.decode()
