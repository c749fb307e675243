"""A product's variants: how the catalogue writes and checks them, imports them from CSV and
shows them in the public API."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from catalog import services
from catalog.models import Product, Variant
from catalog.variants import VariantSpec, parse_options
from tests.catalog.test_import_catalog import run_import, write_csv

TEE = [
    VariantSpec("TEE-M", {"Size": " M ", "Colour": "black"}, None, 3),
    VariantSpec("TEE-L", {"size": "L", "colour": "black"}, Decimal("24.00"), 5),
]


def variants_of(product: Product) -> list[tuple]:
    return [(v.sku, v.options, v.price, v.stock) for v in product.variants.all()]


def test_variants_are_written_in_order_with_options_normalised_and_their_stock_summed(
    make_product,
):
    tee = make_product("TEE", stock=99, variants=TEE)
    assert variants_of(tee) == [
        ("TEE-M", {"size": "M", "colour": "black"}, None, 3),
        ("TEE-L", {"size": "L", "colour": "black"}, Decimal("24.00"), 5),
    ]
    assert Product.objects.get(pk=tee.pk).stock == 8  # theirs, not the 99 it was given


def test_a_save_matches_variants_by_sku_keeps_their_ids_and_deletes_the_rest(make_product):
    tee = make_product("TEE", variants=TEE)
    medium = Variant.objects.get(sku="TEE-M")
    # The two swap options in one save (the unique options constraint is deferred).
    services.save_product(
        tee,
        variants=[
            VariantSpec("TEE-M", {"size": "L", "colour": "black"}, None, 1),
            VariantSpec("TEE-L", {"size": "M", "colour": "black"}, None, 1),
        ],
    )
    assert Variant.objects.get(sku="TEE-M").pk == medium.pk
    services.save_product(tee, variants=[VariantSpec("TEE-M", {"size": "L", "colour": "black"})])
    assert [v.sku for v in tee.variants.all()] == ["TEE-M"]
    assert Product.objects.get(pk=tee.pk).stock == 0
    services.save_product(tee, variants=[])
    assert not tee.variants.exists()


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ([VariantSpec("A", {})], "Give a variant at least one option"),
        ([VariantSpec("A", {"size": "M"}), VariantSpec("A", {"size": "L"})], "given twice"),
        ([VariantSpec("A", {"size": "M"}), VariantSpec("B", {"SIZE": "M"})], "same options"),
        (
            [VariantSpec("A", {"size": "M"}), VariantSpec("B", {"colour": "red"})],
            "every variant has the same options (size)",
        ),
        ([VariantSpec("A", {"size": "M"}, Decimal("1.234"))], "decimal"),
        ([VariantSpec("bad sku!", {"size": "M"})], "A SKU is 1 to 64"),
        ([VariantSpec("A", {"a": "1", "b": "2", "c": "3", "d": "4"})], "at most 3 options"),
    ],
)
def test_bad_variants_are_refused_and_nothing_is_written(make_product, variants, message):
    tee = make_product("TEE", title="Plain tee", stock=4)
    with pytest.raises(ValidationError) as raised:
        services.save_product(tee, variants=variants)
    assert message in " ".join(raised.value.message_dict["variants"])
    tee = Product.objects.get(pk=tee.pk)
    assert not tee.variants.exists() and tee.stock == 4 and tee.version == 1


def test_a_variant_sku_of_another_product_of_the_merchant_is_refused(make_product):
    make_product("TEE", variants=TEE)
    with pytest.raises(ValidationError) as raised:
        make_product("POLO", variants=[VariantSpec("TEE-M", {"size": "M"})])
    assert "another of your products" in str(raised.value)
    assert not Product.objects.filter(sku="POLO").exists()


def test_the_quick_stock_count_is_refused_for_a_product_with_variants(make_product):
    tee = make_product("TEE", variants=TEE)
    with pytest.raises(ValidationError) as raised:
        services.set_stock(tee, 50)
    assert raised.value.code == "stock_of_variants"
    assert Product.objects.get(pk=tee.pk).stock == 8


def test_options_text_is_parsed_as_forms_and_files_write_it():
    assert parse_options("Size: M,  colour :  jet black ") == {"size": "M", "colour": "jet black"}
    for bad in ("size M", "", "size: M, size: L", "size:"):
        with pytest.raises(ValidationError):
            parse_options(bad)


def test_the_public_api_nests_variants_at_the_price_they_sell_for(make_product):
    make_product("TEE", price=Decimal("20.00"), variants=TEE)
    body = APIClient().get("/api/v1/products/").json()
    [product] = body["results"]
    assert product["stock"] == 8 and product["in_stock"] is True
    expected = [("TEE-M", "M", "20.00", 3), ("TEE-L", "L", "24.00", 5)]
    assert product["variants"] == [
        {
            "id": Variant.objects.get(sku=sku).pk,
            "sku": sku,
            "options": [{"name": "size", "value": size}, {"name": "colour", "value": "black"}],
            "price": price,
            "stock": stock,
            "in_stock": True,
        }
        for sku, size, price, stock in expected
    ]


VARIANT_HEADER = ["sku", "title", "image", "price", "stock", "variant_sku", "options"]


def test_csv_rows_sharing_a_sku_make_one_product_with_variants(db, tmp_path, images, merchant):
    csv_path = write_csv(
        tmp_path / "v.csv",
        [
            ["TEE", "Cotton tee", "red.jpg", "20.00", "3", "TEE-M", "size: M, colour: black"],
            ["TEE", "", "", "24.00", "5", "TEE-L", "size: L, colour: black"],
            ["MUG", "Mug", "blue.jpg", "8.00", "7", "", ""],
        ],
        header=VARIANT_HEADER,
    )
    out, err, status = run_import(csv_path, images, "--merchant", "alice")
    assert status == 0, err
    tee = Product.objects.get(sku="TEE")
    assert (tee.title, tee.price, tee.stock) == ("Cotton tee", Decimal("20.00"), 8)
    assert variants_of(tee) == [
        ("TEE-M", {"size": "M", "colour": "black"}, None, 3),
        ("TEE-L", {"size": "L", "colour": "black"}, Decimal("24.00"), 5),
    ]
    assert Product.objects.get(sku="MUG").stock == 7
    # The same file again changes nothing.
    out, err, status = run_import(csv_path, images, "--merchant", "alice")
    assert status == 0 and "unchanged" in out


def test_a_bad_variant_row_rejects_its_product_whole_and_the_others_import(
    db, tmp_path, images, merchant
):
    csv_path = write_csv(
        tmp_path / "v.csv",
        [
            ["TEE", "Cotton tee", "red.jpg", "20.00", "3", "TEE-M", "size: M"],
            ["TEE", "", "", "20.00", "many", "TEE-L", "size: L"],
            ["CAP", "Cap", "blue.jpg", "9.00", "2", "CAP-S", "size S"],
            ["MUG", "Mug", "blue.jpg", "8.00", "7", "", ""],
            ["TEE", "Cotton tee", "red.jpg", "20.00", "1", "TEE-S", "size: S"],
        ],
        header=VARIANT_HEADER,
    )
    _, err, status = run_import(csv_path, images, "--merchant", "alice")
    assert status == 1
    assert "line 3: bad stock 'many'" in err and "TEE from line 2 are not imported" in err
    assert "bad options 'size S'" in err
    assert "duplicate sku TEE" in err  # a product's rows follow each other
    assert list(Product.objects.values_list("sku", flat=True)) == ["MUG"]
    assert not Variant.objects.exists()
