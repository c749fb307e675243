"""What a title or a query says about a product: its head noun, and whether a product names
the noun a shopper asked for."""

import pytest

from search.vocabulary import attributes, names_noun


def test_a_titles_head_noun_colours_and_gender():
    found = attributes("Fabindia Men Printed Red Kurta")
    assert (found.head, found.colours, found.gender) == ("kurta", frozenset({"red"}), "men")


@pytest.mark.parametrize(
    ("noun", "title", "category", "named"),
    [
        ("shoe", "Puma Men's Future Cat Engine Black Shoe", "Footwear > Shoes", True),
        ("tshirt", "Nike Men Blue Cricket Tee T-shirt", "Apparel > Topwear", True),
        ("topwear", "Fabindia Men Red Kurta", "Apparel > Topwear", True),  # its category
        # A word elsewhere in the title is not what the product is: a brand, a material.
        ("denim", "Denim Men Original Deodorant", "Personal Care > Fragrance", False),
        ("shirt", "Femella Women Shirt Dress", "Apparel > Dress", False),
        ("shoe", "Item 37051", "", False),  # a listing without words names nothing
        ("", "Fabindia Men Red Kurta", "Apparel > Topwear", False),  # a query without a noun
    ],
)
def test_a_product_names_the_query_noun_by_its_title_head_or_category(noun, title, category, named):
    assert names_noun(noun, title, category) is named
