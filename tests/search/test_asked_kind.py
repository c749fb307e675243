"""What a shopper's query asks for: the word English ends its noun phrase with, unless the
catalogue's own titles or English read the compound otherwise; in shops of several kinds."""

import pytest

from search.ml.asked_kind import asked_kind
from search.ml.vocabulary import Vocabulary
from search.query_words import understand

ELECTRONICS = Vocabulary.learn(
    ["Samsung Galaxy A15 phone, black", "Pixel 8 phone, 128 GB", "Nokia phone, blue",
     "Leather case, brown", "Silicone case, clear", "Rugged case, black",
     "Laptop 14 inch, 16 GB", "Gaming laptop, 32 GB", "Neoprene sleeve, grey",
     "Felt sleeve, charcoal", "USB-C charger, 65 W", "Wall charger, 20 W"],
    ["Phones", "Phones", "Phones", "Accessories > Cases", "Accessories > Cases",
     "Accessories > Cases", "Computers > Laptops", "Computers > Laptops",
     "Accessories > Sleeves", "Accessories > Sleeves", "Accessories > Chargers",
     "Accessories > Chargers"],
)  # fmt: skip


@pytest.mark.parametrize(
    "query, kind",
    [
        ("phone case", "case"),
        ("black phone case", "case"),
        ("case for a phone", "case"),
        ("laptop sleeve", "sleeve"),
        ("sleeve for my laptop", "sleeve"),
        ("phone charger", "charger"),
        ("gaming laptop", "laptop"),
    ],
)
def test_a_query_asks_for_the_last_kind_of_its_first_phrase(query, kind):
    assert asked_kind(ELECTRONICS, query) == kind
    assert understand(query, ELECTRONICS).kinds[0] == kind


def test_a_query_asks_for_what_its_misspelt_words_meant():
    # "chrager" is no word: "phone chrager" asks for a charger, as "phone charger" does, not
    # for the phone it would ask for without the typo.
    words = understand("phone chrager", ELECTRONICS)
    assert words.corrections == {"chrager": "charger"}
    assert words.kinds[0] == "charger"
    assert understand("blck lptop sleve", ELECTRONICS).kinds[0] == "sleeve"


def test_a_compound_the_catalogue_writes_is_read_as_its_titles_are():
    # This shop's track pants are "Track pants" (its titles' kind is "track"), and its
    # innerwear vests say "Innerwear Vest": a query of the same words asks for the same kind.
    shop = Vocabulary.learn(
        ["Track pants - black | Puma", "Track pants, navy", "Track pants in grey",
         "Slim trousers, black", "Chino trousers, beige", "Cotton pants, olive",
         "Jockey Men White Innerwear Vest", "Dollar Men Grey Innerwear Vest",
         "Lux Men Black Innerwear Vest", "Jockey Men Blue Brief"],
        ["Men > Joggers", "Men > Joggers", "Men > Joggers", "Men > Trousers", "Men > Trousers",
         "Men > Trousers", "Men > Innerwear", "Men > Innerwear", "Men > Innerwear",
         "Men > Innerwear"],
    )  # fmt: skip
    assert shop.attributes("Track pants, navy", "Men > Joggers").head == "track"
    assert asked_kind(shop, "black track pants") == "track"
    assert asked_kind(shop, "white innerwear vests") == "innerwear"
    # Each word alone asks for its own kind.
    assert asked_kind(shop, "olive pants") == "pant"


def test_a_narrower_kind_before_its_broader_one_is_what_is_asked_for():
    # No title says both; English calls a clutch a purse.
    shop = Vocabulary.learn(
        ["Sequinned clutch, gold", "Satin clutch, black", "Leather purse, tan",
         "Canvas purse, red", "Leather sandals, brown", "Running shoes, white"],
        ["Bags > Clutches", "Bags > Clutches", "Bags > Purses", "Bags > Purses",
         "Footwear > Sandals", "Footwear > Shoes"],
    )  # fmt: skip
    assert asked_kind(shop, "green clutch purse for women") == "clutch"
    assert asked_kind(shop, "sandal shoes") == "sandal"
    assert asked_kind(shop, "purse") == "purse"


def test_a_word_only_a_category_calls_products_by_does_not_outrank_the_kind_after_it():
    # "Skin" names a category of creams; the concealers are makeup. "skin concealer" asks for
    # a concealer.
    shop = Vocabulary.learn(
        ["Olay day cream SPF 15", "Nivea night cream", "Ponds face wash", "Lakme concealer, ivory",
         "Colorbar concealer, sand beige", "Maybelline concealer, honey", "Lakme kajal, black"],
        ["Personal Care > Skin", "Personal Care > Skin", "Personal Care > Skin",
         "Personal Care > Makeup", "Personal Care > Makeup", "Personal Care > Makeup",
         "Personal Care > Makeup"],
    )  # fmt: skip
    words = understand("skin concealer", shop)
    assert words.kinds == ("concealer",)
    wanted = shop.wanted(words.for_encoder, words.kinds)
    assert shop.title_match(wanted, "Lakme concealer, ivory", "Personal Care > Makeup")[0] == 1
    assert shop.title_match(wanted, "Nivea night cream", "Personal Care > Skin")[0] == 0
    assert "skin" in words.for_encoder  # the shopper's words are kept
