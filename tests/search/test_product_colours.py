"""A product's colour families, as its own listing states them, on catalogues of different kinds:
what the colour facet counts and filters (search.ml.product_colours)."""

import pytest

from search.ml.product_colours import Listing, product_colours
from search.ml.vocabulary import Vocabulary


def learned(listings: list[tuple[str, str]]) -> Vocabulary:
    return Vocabulary.learn([title for title, _ in listings], [path for _, path in listings])


FASHION = [
    ("Turtle Check Men Navy Blue Shirt", "Apparel > Topwear"),
    ("Fabindia Men Printed Red Kurta", "Apparel > Topwear"),
    ("Biba Women Olive Kurta", "Apparel > Topwear"),
    ("Biba Women Peach Kurta", "Apparel > Topwear"),
    ("W Women Charcoal Grey Kurta", "Apparel > Topwear"),
    ("Puma Men Black Casual Shoes", "Footwear > Shoes"),
    ("Nike Men White Running Shoes", "Footwear > Shoes"),
    ("Catwalk Women Tan Heels", "Footwear > Heels"),
    ("Nike Sahara Team India Fanwear Round Neck Jersey", "Apparel > Topwear"),
]

FURNITURE = [
    ("Hendrick oak coffee table", "Furniture > Living room > Tables"),
    ("Ada walnut coffee table", "Furniture > Living room > Tables"),
    ("Milo white coffee table", "Furniture > Living room > Tables"),
    ("Otto black coffee table", "Furniture > Living room > Tables"),
    ("Elsie light oak bookcase", "Furniture > Storage > Bookcases"),
    ("Bruno sideboard", "Furniture > Storage > Sideboards"),
    ("Freya velvet sofa, sage green", "Furniture > Living room > Sofas"),
    ("Harlow walnut veneer sideboard", "Furniture > Storage > Sideboards"),
]

GROCERY = [
    ("Extra virgin olive oil 500ml", "Grocery > Oils"),
    ("Cold pressed sunflower oil 1l", "Grocery > Oils"),
    ("Walnut halves 200g", "Grocery > Nuts"),
    ("Orange juice, not from concentrate", "Grocery > Drinks"),
    ("Cream cheese, full fat", "Grocery > Dairy"),
    ("Organic red lentils 1kg", "Grocery > Pulses"),
    ("Organic green lentils 1kg", "Grocery > Pulses"),
    ("Dark chocolate 70%", "Grocery > Confectionery"),
]


def colours_of(catalogue: list[tuple[str, str]]) -> dict[str, list[str]]:
    vocabulary = learned(catalogue)
    return {
        title: product_colours(Listing(title, category), vocabulary)
        for title, category in catalogue
    }


def test_a_fashion_catalogues_colours_are_the_lexicons_families():
    colours = colours_of(FASHION)
    assert colours["Turtle Check Men Navy Blue Shirt"] == ["blue"]  # one colour, two words
    assert colours["W Women Charcoal Grey Kurta"] == ["grey"]
    assert colours["Fabindia Men Printed Red Kurta"] == ["red"]
    # Kurtas come in several colours here: "olive" and "peach" are colours on a kurta.
    assert colours["Biba Women Olive Kurta"] == ["green"]
    assert colours["Biba Women Peach Kurta"] == ["orange"]
    # The only heels are tan: the catalogue does not show that heels come in colours.
    assert colours["Catwalk Women Tan Heels"] == []
    assert colours["Nike Sahara Team India Fanwear Round Neck Jersey"] == []


def test_woods_are_colours_of_furniture_that_comes_in_colours():
    colours = colours_of(FURNITURE)
    # Coffee tables come in white and black here: their oak and walnut are browns.
    assert colours["Hendrick oak coffee table"] == ["brown"]
    assert colours["Ada walnut coffee table"] == ["brown"]
    assert colours["Milo white coffee table"] == ["white"]
    assert colours["Elsie light oak bookcase"] == ["beige"]  # a phrase that is only a colour
    assert colours["Freya velvet sofa, sage green"] == ["green"]
    assert colours["Bruno sideboard"] == []


def test_a_wood_is_a_colour_where_a_word_beside_it_says_so():
    vocabulary = learned(FURNITURE)
    sideboard = "Furniture > Storage > Sideboards"
    assert product_colours(Listing("Harlow sideboard, walnut finish", sideboard), vocabulary) == [
        "brown"
    ]
    # Sideboards come in no colour here: a bare wood names what it is made of, not its colour.
    assert product_colours(Listing("Harlow walnut sideboard", sideboard), vocabulary) == []


def test_a_grocers_foods_are_not_colours():
    colours = colours_of(GROCERY)
    assert colours["Extra virgin olive oil 500ml"] == []
    assert colours["Walnut halves 200g"] == []
    assert colours["Orange juice, not from concentrate"] == []
    assert colours["Cream cheese, full fat"] == []
    assert colours["Dark chocolate 70%"] == []
    # What the titles say in words that are nothing but colours still counts.
    assert colours["Organic red lentils 1kg"] == ["red"]
    assert colours["Organic green lentils 1kg"] == ["green"]


def test_variant_options_named_for_colour_give_their_colours():
    vocabulary = learned(FASHION)
    tee = Listing(
        "Cotton tee",
        options=[
            {"size": "M", "colour": "Navy"},
            {"size": "L", "colour": "Olive"},  # the merchant says it is a colour
            {"size": "XL", "colour": "Off-White"},
        ],
    )
    assert product_colours(tee, vocabulary) == ["blue", "green", "white"]
    # Values of other options are not read as colours.
    sized = Listing("Cotton tee", options=[{"size": "M", "fit": "slim", "print": "black cat"}])
    assert product_colours(sized, vocabulary) == []
    framed = Listing("Poster", options=[{"frame colour": "walnut"}, {"frame colour": "gold"}])
    assert product_colours(framed, vocabulary) == ["brown", "gold"]


@pytest.mark.parametrize(
    "description, colours",
    [
        ("Soft cotton. Colour: navy blue.", ["blue"]),
        ("Colours: navy, white and red. Machine washable.", ["blue", "red", "white"]),
        ("Solid wood in a walnut finish.", ["brown"]),
        ("Pairs well with white sneakers and a black belt.", []),  # other things' colours
        ("", []),
    ],
)
def test_a_description_gives_the_colours_it_labels(description, colours):
    listing = Listing("Cotton shirt", "Apparel > Topwear", description)
    assert product_colours(listing, learned(FASHION)) == colours
