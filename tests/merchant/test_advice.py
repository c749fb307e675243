"""Merchant help from the search index: the category that look-alike products are in, and a
warning when a product's photo and text show different products."""

import pytest
from django.urls import reverse

from catalog.models import Product
from merchant.advice import photo_text_disagree, photo_text_disagreements, suggested_category
from search.indexing import embed_stale
from search.ml.training import train_search
from tests.conftest import JERSEY, NIGHTDRESS, dataset_photo

pytestmark = pytest.mark.slow  # started first: tests/conftest.py

NIGHTWEAR = "Apparel > Loungewear and Nightwear"


def nightdresses(make_product, count: int) -> None:
    for number in range(count):
        make_product(
            f"ND-{number}",
            title=f"Nightdress {number}",
            category_path=NIGHTWEAR,
            photos=[dataset_photo(NIGHTDRESS)],
        )


def test_a_product_filed_apart_from_its_look_alikes_gets_their_category(make_product, encoder):
    nightdresses(make_product, 5)
    misfiled = make_product(
        "ODD", title="Item 1", category_path="Footwear > Shoes", photos=[dataset_photo(NIGHTDRESS)]
    )
    assert suggested_category(misfiled) is None  # not indexed yet
    embed_stale(encoder)
    assert suggested_category(misfiled).full_name == NIGHTWEAR


def test_no_suggestion_when_the_category_is_already_right(make_product, encoder):
    nightdresses(make_product, 5)
    embed_stale(encoder)
    assert suggested_category(Product.objects.get(sku="ND-0")) is None


def test_the_dashboard_shows_the_suggestion(client, merchant, make_product, encoder):
    nightdresses(make_product, 5)
    make_product(
        "ODD", title="Item 1", category_path="Footwear > Shoes", photos=[dataset_photo(NIGHTDRESS)]
    )
    embed_stale(encoder)
    client.force_login(merchant.user)
    page = client.get(reverse("merchant:product_edit", args=["ODD"])).content.decode()
    assert "Products that look like this one are mostly in" in page
    assert NIGHTWEAR.replace(">", "&gt;") in page


def test_a_product_whose_photo_shows_another_product_is_flagged(
    small_catalogue, three_products, make_product, merchant, client, encoder
):
    mislabelled = make_product(
        "ODD",
        title="Men Black Leather Wallet",
        category_path="Accessories > Wallets",
        photos=[dataset_photo(JERSEY)],
    )
    embed_stale(encoder)
    assert not photo_text_disagree(mislabelled)  # no threshold before a model is trained

    model = train_search(encoder, log=lambda message: None)

    assert model.metrics["photo_text_agreement"]["mismatches_warned"] > 0.3
    warned = photo_text_disagreements(Product.objects.all())
    assert mislabelled.pk in warned
    assert not warned & {product.pk for product in three_products.values()}
    assert len(warned) < 0.1 * Product.objects.count()
    client.force_login(merchant.user)
    dashboard = client.get(reverse("merchant:dashboard")).content.decode()
    assert dashboard.count("Photo and text look like different products") == 1
    edit_page = client.get(reverse("merchant:product_edit", args=["ODD"])).content.decode()
    assert "Search sees this product's photo and its text as different" in edit_page
