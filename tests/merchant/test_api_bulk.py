"""Bulk upsert: each item created, updated, unchanged or rejected on its own; a batch that
breaks the schema refused whole."""

from decimal import Decimal

import pytest

from catalog.models import Category, Product
from merchant.serializers import MAX_BULK_ITEMS
from tests.api_helpers import assert_error, token_client

URL = "/api/v1/merchant/bulk/products/"


@pytest.fixture
def api(merchant):
    return token_client(merchant)


def test_an_item_that_cannot_be_written_sinks_no_other(api, merchant, make_product):
    make_product("OLD", description="Kept.")
    products = [
        {"sku": "NEW-1", "title": "New one", "price": "10.00", "category": "Home > Lamps"},
        {"sku": "OLD", "price": "5.00"},
        {"sku": "NEW-2", "title": "Draft one", "status": "draft", "stock": 2},
        {"sku": "NEW-1", "title": "Again"},
        {"sku": "NOTITLE"},
        {"sku": "CAT", "title": "Bad category", "category": "Garden > ???"},
    ]
    response = api.post(URL, {"products": products}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["rejected"]) == (2, 1, 0, 3)
    statuses = [(r["index"], r["sku"], r["status"]) for r in body["results"]]
    assert statuses == [
        (0, "NEW-1", "created"),
        (1, "OLD", "updated"),
        (2, "NEW-2", "created"),
        (3, "NEW-1", "rejected"),
        (4, "NOTITLE", "rejected"),
        (5, "CAT", "rejected"),
    ]
    errors = {r["index"]: r["error"] for r in body["results"] if r["status"] == "rejected"}
    assert errors[3]["code"] == "duplicate_sku" and "item 0" in errors[3]["message"]
    assert errors[4]["code"] == "blank" and set(errors[4]["fields"]) == {"title"}
    assert errors[5]["code"] == "bad_category"
    assert "error" not in body["results"][0]

    saved = {p.sku: p for p in Product.objects.filter(merchant=merchant)}
    assert set(saved) == {"OLD", "NEW-1", "NEW-2"}
    assert saved["NEW-1"].category.full_name == "Home > Lamps"
    assert saved["OLD"].price == Decimal("5.00") and saved["OLD"].description == "Kept."
    assert saved["NEW-2"].status == "draft" and saved["NEW-2"].currency == "USD"
    # The rejected item's category was never made: nothing of it was written.
    assert not Category.objects.filter(name="Garden").exists()


def test_a_batch_with_items_the_schema_forbids_is_refused_whole(api, merchant):
    products = [
        {"sku": "NEW-1", "title": "New one", "price": "10.00"},
        {"sku": "BAD", "title": "Broken", "price": "-3"},
        {"title": "No sku"},
        {"sku": "TYPO", "title": "Lamp", "prize": "3.00"},
    ]
    response = api.post(URL, {"products": products}, format="json")
    error = assert_error(response, 400, "min_value")
    assert set(error["fields"]) == {"products.1.price", "products.2.sku", "products.3.prize"}
    assert not Product.objects.filter(merchant=merchant).exists()


def test_sending_the_same_items_again_changes_nothing(api):
    products = [{"sku": "A", "title": "Lamp", "price": "3.00"}]
    assert api.post(URL, {"products": products}, format="json").json()["created"] == 1
    again = api.post(URL, {"products": products}, format="json").json()
    assert again["unchanged"] == 1 and again["results"][0]["status"] == "unchanged"


def test_items_upsert_only_the_merchants_own_products(api, make_product, other_merchant):
    bobs = make_product("SHARED", owner=other_merchant, title="Bob's")
    body = api.post(URL, {"products": [{"sku": "SHARED", "title": "Alice's"}]}, format="json")
    assert body.json()["results"][0]["status"] == "created"
    bobs.refresh_from_db()
    assert bobs.title == "Bob's"
    assert Product.objects.filter(sku="SHARED").count() == 2


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "required"),
        ({"products": []}, "min_length"),
        (
            {"products": [{"sku": f"S{i}", "title": "T"} for i in range(MAX_BULK_ITEMS + 1)]},
            "max_length",
        ),
        ({"products": ["not an object"]}, "not_a_dict"),
        ({"products": [{"sku": "A", "title": "T"}], "extra": 1}, "unknown_field"),
    ],
)
def test_a_bad_envelope_is_refused_whole(api, body, code):
    assert_error(api.post(URL, body, format="json"), 400, code)
    assert not Product.objects.exists()


def test_500_items_go_in_one_request(api, merchant):
    products = [{"sku": f"SKU-{i}", "title": f"Item {i}"} for i in range(MAX_BULK_ITEMS)]
    body = api.post(URL, {"products": products}, format="json").json()
    assert body["created"] == MAX_BULK_ITEMS
    assert merchant.products.count() == MAX_BULK_ITEMS


def test_bulk_needs_a_merchant_token(db):
    from rest_framework.test import APIClient

    response = APIClient().post(URL, {"products": [{"sku": "A", "title": "T"}]}, format="json")
    assert_error(response, 401, "not_authenticated")
    assert not Product.objects.exists()
