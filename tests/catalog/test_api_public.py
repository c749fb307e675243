"""The public catalogue API: active products with filters and cursor pages, similar products,
the category tree. No authentication needed; writes are not offered."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.models import Product
from tests.api_helpers import HIT_FIELDS, assert_error
from tests.conftest import JERSEY, NIGHTDRESS, SHIRT

PRODUCTS = "/api/v1/products/"


@pytest.fixture
def client() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


@pytest.fixture
def shelf(make_product, other_merchant) -> dict[str, Product]:
    return {
        "kurta": make_product("KURTA", price=Decimal("25.00"), stock=3),
        "lamp": make_product(
            "LAMP", title="Desk lamp", category_path="Home > Lamps", price=None, stock=0
        ),
        "tee": make_product(
            "TEE", owner=other_merchant, category_path="Apparel > Topwear > Tshirts", stock=1
        ),
        "draft": make_product("DRAFT", status=Product.Status.DRAFT),
    }


def skus(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [product["sku"] for product in response.json()["results"]]


def test_active_products_newest_first_with_their_details(client, shelf):
    assert skus(client.get(PRODUCTS)) == ["TEE", "LAMP", "KURTA"]
    tee = client.get(f"{PRODUCTS}{shelf['tee'].pk}/").json()
    assert tee["merchant"] == "Bob's Shop" and tee["in_stock"] is True
    assert (tee["category"], tee["category_path"]) == (
        "Apparel > Topwear > Tshirts",
        "apparel/topwear/tshirts",
    )
    assert tee["url"] == f"http://testserver/products/{shelf['tee'].pk}-red-cotton-kurta/"
    assert tee["images"][0]["url"].startswith("http://testserver/media/")
    lamp = client.get(f"{PRODUCTS}{shelf['lamp'].pk}/").json()
    assert lamp["price"] is None and lamp["in_stock"] is False


def test_a_draft_is_not_found(client, shelf):
    assert_error(client.get(f"{PRODUCTS}{shelf['draft'].pk}/"), 404, "not_found")
    assert "DRAFT" not in skus(client.get(PRODUCTS))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "apparel"}, ["TEE", "KURTA"]),
        ({"category": "/Apparel/Topwear/Tshirts/"}, ["TEE"]),
        ({"min_price": "20"}, ["KURTA"]),
        ({"max_price": "20"}, ["TEE"]),
        ({"in_stock": "true"}, ["TEE", "KURTA"]),
        ({"in_stock": "true", "category": "home"}, []),
    ],
)
def test_filters(client, shelf, filters, expected):
    assert skus(client.get(PRODUCTS, filters)) == expected


@pytest.mark.parametrize(
    ("filters", "code"),
    [
        ({"min_price": "cheap"}, "invalid"),
        ({"min_price": "."}, "invalid"),
        ({"in_stock": "maybe"}, "invalid"),
        ({"in_stock": "yes"}, "invalid"),
    ],
)
def test_bad_filters_answer_400(client, db, filters, code):
    assert_error(client.get(PRODUCTS, filters), 400, code, set(filters))


def test_an_unknown_category_is_not_found(client, db):
    assert_error(client.get(PRODUCTS, {"category": "no/such"}), 404, "unknown_category")


def test_cursor_pages_walk_the_whole_list(client, make_product):
    for number in range(5):
        make_product(f"P{number}")
    first = client.get(PRODUCTS, {"page_size": 2}).json()
    seen = [p["sku"] for p in first["results"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [p["sku"] for p in page["results"]]
    assert seen == ["P4", "P3", "P2", "P1", "P0"]
    assert_error(client.get(PRODUCTS, {"cursor": "garbage"}), 404, "not_found")


def test_the_list_makes_a_fixed_number_of_queries(client, make_product):
    make_product("P0")
    with CaptureQueriesContext(connection) as few:
        client.get(PRODUCTS)
    for number in range(1, 6):
        make_product(f"P{number}")
    with CaptureQueriesContext(connection) as many:
        client.get(PRODUCTS)
    assert len(many) == len(few)


def test_writes_are_not_offered(client, shelf):
    assert_error(client.post(PRODUCTS, {"sku": "X"}, format="json"), 405, "method_not_allowed")
    url = f"{PRODUCTS}{shelf['kurta'].pk}/"
    assert_error(client.delete(url), 405, "method_not_allowed")


def test_similar_products_by_photo(client, three_products):
    shirt = three_products[SHIRT]
    response = client.get(f"{PRODUCTS}{shirt.pk}/similar/", {"limit": 5})
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert {hit["sku"] for hit in results} == {NIGHTDRESS, JERSEY}  # never itself
    assert set(results[0]) == HIT_FIELDS
    assert_error(client.get(f"{PRODUCTS}{shirt.pk}/similar/", {"limit": 0}), 400, "min_value")


def test_similar_of_an_unindexed_product_is_empty(client, shelf):
    response = client.get(f"{PRODUCTS}{shelf['kurta'].pk}/similar/")
    assert response.status_code == 200 and response.json() == {"results": []}


def test_the_category_tree(client, shelf):
    tree = client.get("/api/v1/categories/").json()
    assert [root["name"] for root in tree] == ["Apparel", "Home"]
    apparel = tree[0]
    assert apparel["url"] == "http://testserver/c/apparel/"
    [topwear] = apparel["children"]
    assert topwear["full_name"] == "Apparel > Topwear"
    assert [child["path"] for child in topwear["children"]] == ["apparel/topwear/tshirts"]
    assert topwear["children"][0]["children"] == []
