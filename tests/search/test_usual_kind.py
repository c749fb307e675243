"""A word that a shop seldom calls a product by, though mostly products of one kind use it, asks
for that kind (Vocabulary.usual_kind): "tee" of a shop whose T-shirts' titles say "Tee", "roast"
of a grocer's coffee; learned from the catalogue's own titles, in any shop."""

from search.ml.vocabulary import Vocabulary
from search.query_words import understand

CLOTHES = Vocabulary.learn(
    ["Puma Men Training Tee Black Tshirt", "Wrangler Women Birdy Tee White Tshirt",
     "ADIDAS Men Adna Tee Red Tshirt", "Roadster Men Red Tshirt", "KKR Mens Fan Tee",
     "Mark Taylor Men Red Striped Shirt", "Nike Men Sports Shoes", "Puma Men Sports Shoes",
     "ADIDAS Men Sports Shoes", "Bata Men Sports Socks", "Puma Unisex Socks",
     "Jockey Men Socks", "Only Women Red Dress", "Vero Moda Women Blue Dress"],
    ["Apparel > Topwear"] * 6 + ["Footwear > Shoes"] * 3 + ["Apparel > Socks"] * 3
    + ["Apparel > Dresses"] * 2,
)  # fmt: skip
GROCERIES = Vocabulary.learn(
    ["Lavazza Espresso Roast Whole Bean Coffee", "Illy Medium Roast Ground Coffee",
     "Kicking Horse Dark Roast Coffee", "Twinings English Breakfast Tea",
     "Yorkshire Gold Tea", "Clipper Green Tea"],
    ["Drinks > Coffee"] * 3 + ["Drinks > Tea"] * 3,
)  # fmt: skip


def test_a_word_mostly_products_of_one_kind_use_names_that_kind():
    assert CLOTHES.usual_kind("tee") == "tshirt"  # one product of the four says it is a tee
    assert GROCERIES.usual_kind("roast") == "coffee"
    # A kind's own word, a word every kind uses alike, a word fewer than three products use.
    assert CLOTHES.usual_kind("dress") == ""
    assert CLOTHES.usual_kind("men") == ""
    assert CLOTHES.usual_kind("training") == ""


def test_a_query_for_such_a_word_asks_for_the_kind_its_products_are():
    words = understand("red tee", CLOTHES)
    assert words.kinds == ("tee", "tshirt")
    assert words.text == "red tee" and "tee" in words.for_encoder  # the shopper's word stays
    wanted = CLOTHES.wanted(words.for_encoder, words.kinds)
    # A T-shirt whose title never says "tee" is what was asked for; a shirt is not.
    assert CLOTHES.title_match(wanted, "Roadster Men Red Tshirt", "Apparel > Topwear")[0] == 1.0
    shirt = CLOTHES.title_match(wanted, "Mark Taylor Men Red Striped Shirt", "Apparel > Topwear")
    assert shirt[0] == 0.0
    # Without the kind its products are, only the one product called a tee would be.
    alone = CLOTHES.wanted(words.text)
    assert CLOTHES.title_match(alone, "Roadster Men Red Tshirt", "Apparel > Topwear")[0] == 0.0
    coffee = understand("dark roast", GROCERIES)
    assert coffee.kinds == ("roast", "coffee")


def test_the_kind_such_a_word_names_is_searched_beside_it():
    # Full-text search finds the T-shirts whose titles never say "tee" by their own word, as
    # the vectors read it too; the shopper's word is kept in both.
    words = understand("red tee", CLOTHES)
    assert words.keyword_groups == (("red",), ("tee", "tshirt"))
    assert words.added == ("tshirt",)
    assert "tee" in words.for_encoder and "tshirt" in words.for_encoder
    # A kind's own word adds nothing.
    assert understand("red dress", CLOTHES).added == ()


def test_a_query_that_names_another_kind_once_corrected_asks_for_that_kind():
    # "sports" is mostly shoes' word, but "sports sockss" asks for socks, its typo read as the
    # word meant; not for the shoes that "sports" alone would.
    words = understand("sports sockss", CLOTHES)
    assert words.corrections == {"sockss": "socks"}
    assert words.kinds == ("socks",)
    assert CLOTHES.wanted(words.for_encoder, words.kinds).head == "sock"
