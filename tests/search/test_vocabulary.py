"""What a title or a query says about a product: its head noun, and whether a product names
the noun a shopper asked for."""

import pytest

from search.ml.vocabulary import attributes, names_noun, title_match


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
        ("shoe", "Item 37051", "", False),  # a product without words names nothing
        ("", "Fabindia Men Red Kurta", "Apparel > Topwear", False),  # a query without a noun
    ],
)
def test_a_product_names_the_query_noun_by_its_title_head_or_category(noun, title, category, named):
    assert names_noun(noun, title, category) is named


@pytest.mark.parametrize(
    ("query", "title", "colours"),
    [
        ("men blue shirt", "Arrow Men Blue Shirt", 1.0),
        ("men blue shirt", "Arrow Men Blue & Black Check Shirt", 0.5),  # among others
        ("men blue shirt", "Arrow Men Black Shirt", 0.0),
        ("men shirt", "Arrow Men Blue Shirt", 0.0),  # a query without colours
    ],
)
def test_a_title_names_the_query_colours_alone_or_among_others(query, title, colours):
    assert title_match(attributes(query), title, "Apparel > Topwear") == (1.0, colours)
