"""Colour words of a name in a catalogue's titles ("Red Tape", "Black Coffee", "Earl Grey") are
no colour there: learned from the titles, in a fashion shop and a grocer's alike
(search.ml.colour_names)."""

from search.ml.colour_names import colours_said, learn_colour_names
from search.ml.product_colours import Listing, product_colours
from search.ml.vocabulary import NARROWS_KIND_SHARE, USUAL_KIND_EVIDENCE, Vocabulary
from search.ml.words import words

SHOES = [
    ("Red Tape Men Brown Shoes", "Footwear > Shoes"),
    ("Red Tape Men Black Shoes", "Footwear > Shoes"),
    ("Red Tape Men Tan Sandals", "Footwear > Sandals"),
    ("Red Tape Men Shoes", "Footwear > Shoes"),
    ("Red Chief Men Khaki Sandals", "Footwear > Sandals"),
    ("Red Chief Men Olive Sandals", "Footwear > Sandals"),
    ("Red Chief Men Black Shoes", "Footwear > Shoes"),
    ("Puma Men Red Shoes", "Footwear > Shoes"),
    ("Nike Men Red Shoes", "Footwear > Shoes"),
    ("ADIDAS Men Black Red Shoes", "Footwear > Shoes"),
    ("Bata Men Red Sandals", "Footwear > Sandals"),
]
COFFEE = [
    ("Black Coffee Roasters espresso beans, 1 kg", "Drinks > Coffee"),
    ("Black Coffee Roasters decaf, green tin", "Drinks > Coffee"),
    ("Black Coffee Roasters filter blend, red bag", "Drinks > Coffee"),
    ("Black Coffee Roasters pour-over kettle, silver", "Kitchen > Coffee makers"),
    ("Espresso cup, black", "Kitchen > Cups"),
    ("Black tea, 80 bags", "Drinks > Tea"),
    ("Green tea, 40 bags", "Drinks > Tea"),
    ("Earl Grey tea, blue tin", "Drinks > Tea"),
    ("Earl Grey loose leaf, black caddy", "Drinks > Tea"),
    ("Earl Grey decaf, white box", "Drinks > Tea"),
]


def names_of(catalogue: list[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    return learn_colour_names(
        [words(title) for title, _ in catalogue], USUAL_KIND_EVIDENCE, NARROWS_KIND_SHARE
    )


def test_a_colour_word_that_most_titles_follow_with_another_colour_begins_a_name():
    assert names_of(SHOES) == {("red", "tape"), ("red", "chief")}
    # A name may end with the colour word too.
    assert names_of(COFFEE) == {("black", "coffee"), ("earl", "grey")}


def test_a_name_s_colour_word_is_not_the_products_colour():
    names = names_of(SHOES)
    said = colours_said(words("Red Tape Men Tan Sandals"), names)
    assert [phrase for _, _, phrase in said] == ["tan"]
    # Elsewhere the same word is a colour: red shoes, and a red beside black.
    assert [phrase for _, _, phrase in colours_said(words("Puma Men Red Shoes"), names)] == ["red"]
    shoes = Vocabulary.learn(*zip(*SHOES, strict=True))
    assert shoes.attributes("Red Chief Men Khaki Sandals").colours == {"beige"}
    assert shoes.attributes("Red Tape Men Shoes").colours == frozenset()
    assert shoes.attributes("ADIDAS Men Black Red Shoes").colours == {"black", "red"}
    # A red query finds the red shoes by their colour, not the Red Chief's black ones.
    red = shoes.wanted("red shoes")
    assert shoes.title_match(red, "Nike Men Red Shoes", "Footwear > Shoes")[1] == 1.0
    assert shoes.title_match(red, "Red Chief Men Black Shoes", "Footwear > Shoes")[1] == 0.0


def test_a_grocers_brand_is_no_colour_of_its_coffee():
    grocer = Vocabulary.learn(*zip(*COFFEE, strict=True))
    assert product_colours(Listing(*COFFEE[3]), grocer) == ["silver"]  # its silver kettle
    assert grocer.attributes("Black tea, 80 bags").colours == {"black"}
    assert grocer.attributes("Earl Grey decaf, white box").colours == {"white"}


def test_too_few_titles_say_no_name():
    # Two "Red Tape" titles are too few to tell a name from a colour.
    assert names_of(SHOES[:2] + SHOES[7:]) == frozenset()
