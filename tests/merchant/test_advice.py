"""Merchant help from the search index: the category that look-alike products are in. (The
warning when a product's photo and text show different products is read off a trained search:
tests/search/test_training.py checks it on the training run it makes anyway.)"""

from django.urls import reverse

from catalog.models import Product
from merchant.advice import suggested_category
from search.indexing import embed_stale
from tests.conftest import NIGHTDRESS, dataset_photo

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
