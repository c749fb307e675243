"""A merchant's variants: the product form's variant rows and the merchant API's nested
variants, for the merchant's own products only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product, Variant
from catalog.variants import VariantSpec
from tests.api_helpers import assert_error, token_client
from tests.merchant.test_dashboard import product_form

LIST = "/api/v1/merchant/products/"


@pytest.fixture
def alice_client(client, merchant):
    client.force_login(merchant.user)
    return client


def variant_rows(*rows: dict, initial: int = 0, extra: int = 0) -> dict:
    """The product form's variant rows as the page posts them (management form included)."""
    blank = {"sku": "", "options": "", "price": "", "stock": ""}
    data = {
        "variants-TOTAL_FORMS": str(len(rows) + extra),
        "variants-INITIAL_FORMS": str(initial),
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "100",
    }
    for number, row in enumerate([*rows, *[blank] * extra]):
        data.update({f"variants-{number}-{name}": value for name, value in row.items()})
    return data


def test_the_product_form_creates_a_product_with_variants(alice_client, merchant):
    rows = variant_rows(
        {"sku": "NEW-1-M", "options": "size: M, colour: black", "price": "", "stock": "2"},
        {"sku": "NEW-1-L", "options": "size: L, colour: black", "price": "29.99", "stock": "4"},
        extra=2,  # the empty rows the page offers add nothing
    )
    response = alice_client.post(reverse("merchant:product_create"), {**product_form(), **rows})
    assert response.status_code == 302, response.content.decode()
    product = Product.objects.get(merchant=merchant, sku="NEW-1")
    assert product.stock == 6
    assert [(v.sku, v.options, v.price, v.stock) for v in product.variants.all()] == [
        ("NEW-1-M", {"size": "M", "colour": "black"}, None, 2),
        ("NEW-1-L", {"size": "L", "colour": "black"}, Decimal("29.99"), 4),
    ]
    page = alice_client.get(reverse("merchant:product_edit", args=["NEW-1"])).content.decode()
    assert 'value="size: L, colour: black"' in page
    assert "The sum of the variants" in page  # the product's own stock is theirs


def test_the_product_form_edits_and_deletes_variants(alice_client, make_product):
    product = make_product(
        "NEW-1",
        variants=[
            VariantSpec("NEW-1-M", {"size": "M"}, None, 2),
            VariantSpec("NEW-1-L", {"size": "L"}, None, 4),
        ],
    )
    rows = variant_rows(
        {"sku": "NEW-1-M", "options": "size: M", "price": "", "stock": "7"},
        {"sku": "NEW-1-L", "options": "size: L", "price": "", "stock": "4", "DELETE": "on"},
        initial=2,
    )
    data = {**product_form(), "version": product.version, **rows}
    response = alice_client.post(reverse("merchant:product_edit", args=["NEW-1"]), data)
    assert response.status_code == 302
    assert [(v.sku, v.stock) for v in product.variants.all()] == [("NEW-1-M", 7)]
    assert Product.objects.get(pk=product.pk).stock == 7


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"sku": "V-1", "options": "size M", "price": "", "stock": "1"}, "has no colon"),
        ({"sku": "V-1", "options": "size: M", "price": "", "stock": "-1"}, "greater than or"),
    ],
)
def test_a_bad_variant_row_is_a_form_error_and_saves_nothing(alice_client, row, message):
    data = {**product_form(), **variant_rows(row)}
    response = alice_client.post(reverse("merchant:product_create"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Product.objects.exists()


def test_what_only_the_save_can_tell_is_a_form_error_too(alice_client, make_product):
    make_product("OLD", variants=[VariantSpec("TAKEN", {"size": "M"})])
    rows = variant_rows({"sku": "TAKEN", "options": "size: M", "price": "", "stock": "1"})
    response = alice_client.post(reverse("merchant:product_create"), {**product_form(), **rows})
    assert response.status_code == 200
    assert "another of your products has a variant with this SKU" in response.content.decode()
    assert not Product.objects.filter(sku="NEW-1").exists()


def test_the_api_creates_and_replaces_variants_nested_in_the_product(merchant):
    api = token_client(merchant)
    body = {
        "sku": "TEE",
        "title": "Cotton tee",
        "price": "20.00",
        "variants": [
            {"sku": "TEE-M", "options": [{"name": "Size", "value": "M"}], "stock": 3},
            {"sku": "TEE-L", "options": [{"name": "size", "value": "L"}], "price": "24.00"},
        ],
    }
    response = api.post(LIST, body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["stock"] == 3
    assert created["variants"] == [
        {"sku": "TEE-M", "options": [{"name": "size", "value": "M"}], "price": None, "stock": 3},
        {"sku": "TEE-L", "options": [{"name": "size", "value": "L"}], "price": "24.00", "stock": 0},
    ]
    changed = {
        "version": created["version"],
        "variants": [{"sku": "TEE-L", "options": [{"name": "size", "value": "L"}], "stock": 9}],
    }
    response = api.patch(f"{LIST}TEE/", changed, format="json")
    assert response.status_code == 200, response.json()
    assert [v["sku"] for v in response.json()["variants"]] == ["TEE-L"]
    assert response.json()["stock"] == 9 and response.json()["price"] == "20.00"
    assert list(Variant.objects.values_list("sku", flat=True)) == ["TEE-L"]


@pytest.mark.parametrize(
    ("variants", "field"),
    [
        ([{"sku": "A", "options": []}], "variants.0.options"),
        ([{"sku": "A", "options": [{"name": "size", "value": 5}]}], "variants.0.options.0.value"),
        ([{"sku": "A", "options": [{"name": "size", "value": "M"}], "colour": "red"}], None),
        (
            [
                {"sku": "A", "options": [{"name": "size", "value": "M"}]},
                {"sku": "A", "options": [{"name": "size", "value": "L"}]},
            ],
            "variants",
        ),
    ],
)
def test_bad_variants_answer_400_and_save_nothing(merchant, variants, field):
    api = token_client(merchant)
    body = {"sku": "TEE", "title": "Cotton tee", "variants": variants}
    response = api.post(LIST, body, format="json")
    error = assert_error(response, 400, response.json()["error"]["code"])
    if field:
        assert field in error["fields"]
    assert not Product.objects.exists()


def test_another_merchants_product_variants_are_out_of_reach(make_product, other_merchant):
    make_product("TEE", variants=[VariantSpec("TEE-M", {"size": "M"}, None, 3)])
    bob = token_client(other_merchant)
    body = {"variants": [{"sku": "X", "options": [{"name": "size", "value": "S"}]}]}
    assert bob.patch(f"{LIST}TEE/", body, format="json").status_code == 404
    assert list(Variant.objects.values_list("sku", "stock")) == [("TEE-M", 3)]


def test_a_bulk_upsert_writes_variants_per_item(merchant):
    api = token_client(merchant)
    items = [
        {
            "sku": "TEE",
            "title": "Cotton tee",
            "variants": [{"sku": "TEE-M", "options": [{"name": "size", "value": "M"}], "stock": 2}],
        },
        {
            "sku": "CAP",
            "title": "Cap",
            "variants": [{"sku": "TEE-M", "options": [{"name": "size", "value": "S"}], "stock": 1}],
        },
    ]
    body = api.post("/api/v1/merchant/bulk/products/", {"products": items}, format="json").json()
    assert [(r["sku"], r["status"]) for r in body["results"]] == [
        ("TEE", "created"),
        ("CAP", "rejected"),
    ]
    assert "another of your products" in body["results"][1]["error"]["message"]
    assert Product.objects.get(sku="TEE").stock == 2 and not Product.objects.filter(sku="CAP")
