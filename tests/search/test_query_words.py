"""A shopper's words against the catalogue's: typos corrected, catalogue terms added, and the
shopper's own words never replaced; in a fashion shop and a furniture shop alike."""

import gc

import pytest

from search.catalogue_vocabulary import catalogue_vocabulary
from search.ml.vocabulary import Vocabulary
from search.query_words import most_matches, understand
from search.word_vectors import NearestKindTerms, word_vectors

FASHION = Vocabulary.learn(
    [
        "Baggit Women Red Handbag",
        "Lino Perros Women Black Handbag",
        "Nike Men White Sneakers",
        "Wildcraft Unisex Grey Backpack",
        "Roadster Men Navy Blue Waist Belt",
        "Fastrack Unisex Black Sunglasses",
    ],
    ["Accessories > Bags", "Accessories > Bags", "Footwear > Shoes", "Accessories > Bags",
     "Accessories > Belts", "Accessories > Eyewear"],
)  # fmt: skip
FURNITURE = Vocabulary.learn(
    [
        "KALLAX Shelf unit, white",
        "Mid-century walnut coffee table",
        "Three-seat sofa, grey fabric",
        "Brass desk lamp",
        "Lamp shade, linen, 40 cm",
    ],
    ["Furniture > Shelves", "Furniture > Tables", "Furniture > Sofas", "Lighting > Lamps",
     "Lighting > Shades"],
)  # fmt: skip


def test_a_word_the_catalogue_does_not_know_is_corrected_to_one_it_does():
    words = understand("womens hanbag red", FASHION)
    assert words.corrections == {"hanbag": "handbag"}
    assert words.corrected == "womens handbag red"
    # The shopper's own words stay first in what the encoder reads.
    assert words.for_encoder.startswith("womens hanbag red")
    assert "handbag" in words.tsquery and "hanbag" not in words.tsquery


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [("hnadbag", "handbag"), ("sneekers", "sneakers"), ("bakpack", "backpack"),
     ("sunglases", "sunglasses"), ("sunglsases", "sunglasses")],
)  # fmt: skip
def test_one_edit_or_a_swap_and_two_in_long_words_are_corrected(typed, corrected):
    assert understand(typed, FASHION).corrections == {typed: corrected}


def test_a_three_letter_slip_is_corrected_but_not_a_real_word():
    # "soa" and "mug" are no words of the shop's; "jug" is a word of English, and one of three
    # letters is one edit from too many others to be taken for a slip ("jug" is not "mug").
    home = Vocabulary.learn(
        ["Three-seat sofa, grey", "Stoneware mug, blue", "Wall clock, black"],
        ["Furniture > Sofas", "Kitchen > Mugs", "Decor > Clocks"],
    )
    assert understand("soa", home).corrections == {"soa": "sofa"}
    assert understand("wll clock", home).corrections == {"wll": "wall"}
    assert understand("jug", home, is_word=lambda word: True).corrections == {}
    # Two letters are corrected to nothing, nor made from anything.
    assert understand("so", home).corrections == {}


def test_among_words_as_many_edits_away_the_likelier_typing_slip_wins():
    # Garden tools: "grey" and "fast" are used more than "green" and "waist", one edit each from
    # the typed word; a missed letter explains "gren" and "wast", a far key (n for y, w for f)
    # would have to explain the others.
    garden = Vocabulary.learn(
        ["Grey hose reel", "Grey fast connector", "Grey fast tap", "Green watering can",
         "Waist apron for gardening", "Grey fast sprinkler"],
        ["Garden > Hoses", "Garden > Hoses", "Garden > Taps", "Garden > Watering",
         "Garden > Clothing", "Garden > Watering"],
    )  # fmt: skip
    assert understand("gren can", garden).corrections == {"gren": "green"}
    assert understand("wast apron", garden).corrections == {"wast": "waist"}
    # A slip of a neighbouring key, or a doubled letter, is as likely as a missed letter: the
    # word more products use wins, as it did.
    assert understand("grwy reel", garden).corrections == {"grwy": "grey"}
    assert understand("fastt tap", garden).corrections == {"fastt": "fast"}


def test_a_far_key_is_taken_for_a_slip_where_the_word_it_makes_is_far_commoner():
    # "mes" is one edit from "men" (n for s, a far key) and from "med" (d for s, a neighbour).
    # A far key is some forty times rarer a slip than a missed letter: where "men" is that
    # much commoner, it is what was meant; where it is not, the likelier slip wins.
    def sports_shop(men_titles: int) -> Vocabulary:
        titles = [f"Men trail shoe {size}" for size in range(men_titles)] + ["Med ball, 4 kg"]
        return Vocabulary.learn(titles, ["Sports > Kit"] * len(titles))

    assert understand("mes shoe", sports_shop(100)).corrections == {"mes": "men"}
    assert understand("mes shoe", sports_shop(10)).corrections == {"mes": "med"}
    # "bdy" is "body" missing a letter, though "boy" (o for d, a far key) is twenty times as
    # common.
    clothes = Vocabulary.learn(
        [f"Boys cotton tee {size}" for size in range(20)] + ["Nivea body lotion"],
        ["Kids > Tops"] * 20 + ["Beauty > Lotions"],
    )
    assert understand("bdy lotion", clothes).corrections == {"bdy": "body"}


def test_a_first_letter_is_corrected_only_where_a_neighbouring_key_explains_it():
    games = Vocabulary.learn(
        ["Funny party game", "Card game for two", "Wooden puzzle box", "Dice set, red"],
        ["Games > Party", "Games > Cards", "Games > Puzzles", "Games > Dice"],
    )
    # "d" for "s" is a neighbouring key; "s" for "f" is not, and a typist rarely misses the
    # first letter: "sunnies" is a word of its own, not "funny".
    assert understand("sice set", games).corrections == {"sice": "dice"}
    assert "sunnies" not in understand("sunnies", games).corrections
    assert understand("pizzle box", games).corrections == {"pizzle": "puzzle"}


def test_a_general_synonym_adds_the_catalogues_word_and_keeps_the_shoppers():
    words = understand("grey school rucksack", FASHION)
    assert "backpack" in words.added
    assert words.for_encoder.startswith("grey school rucksack")
    assert "(rucksack | backpack)" in words.tsquery or "(backpack)" in words.tsquery
    # Words the catalogue does not use cannot match its text: full-text search leaves them out.
    assert "school" not in words.tsquery


@pytest.mark.parametrize(
    "typed", ["oxford shirt", "lamp shades", "jumper cables", "sunshades", "waistbelt"]
)
def test_words_are_never_replaced_and_run_together_words_never_raise(typed):
    words = understand(typed, FASHION)
    assert words.for_encoder.startswith(typed)
    assert set(words.added).isdisjoint({"formal shoes", "sunglasses"} - set(typed.split()))


def test_run_together_catalogue_words_are_split_beside_the_typed_word():
    assert understand("waistbelt", FASHION).added == ("waist belt",)


def test_furniture_words_pass_through_and_find_the_furniture_shops_terms():
    assert understand("lamp shades", FURNITURE).corrections == {}
    assert understand("lamp shades", FURNITURE).tsquery == "(lamp) & (shades)"
    couch = understand("grey couch", FURNITURE)
    assert "sofa" in couch.added and couch.for_encoder.startswith("grey couch")
    assert understand("walnut coffe table", FURNITURE).corrected == "walnut coffee table"


def test_exact_words_are_searched_as_typed():
    words = understand("womens hanbag red", FASHION, exact=True)
    assert (words.corrections, words.added) == ({}, ())
    assert words.tsquery == "(womens) & (hanbag) & (red)"


def test_a_real_word_the_catalogue_lacks_is_not_spelled_into_another():
    catalogue = Vocabulary.learn(["Touch lamp, brass", "Desk lamp"], ["Lighting", "Lighting"])
    english = {"pouch", "touch", "lamp"}.__contains__
    asked = []

    def nearest(typed):
        asked.extend(typed)
        return [[] for _ in typed]

    # "pouch" is one edit from "touch", but a word of the language: its meaning is sought.
    assert understand("pouch", catalogue, nearest, is_word=english).corrections == {}
    assert asked == ["pouch"]
    # "tuoch" is no word: a typo of the catalogue's "touch".
    assert understand("tuoch", catalogue, nearest, is_word=english).corrections == {
        "tuoch": "touch"
    }


def test_a_real_word_one_slip_from_a_kind_the_catalogue_sells_is_that_kind():
    english = {"bets", "silver", "cute", "cut"}.__contains__

    def nearest(typed):
        return [[] for _ in typed]

    # "bets" is English, but no kind of anything this shop sells: it is its "belts", typed.
    words = understand("silver bets", FASHION, nearest, is_word=english)
    assert words.corrections == {"bets": "belt"}
    assert words.for_encoder.startswith("silver bets")
    # A describing word is never spelled into another word that names no kind ("cut").
    cuts = Vocabulary.learn(["Slim cut jeans", "Cut work kurta"], ["Jeans", "Kurtas"])
    assert understand("cute", cuts, nearest, is_word=english).corrections == {}


def test_a_real_word_with_two_letters_swapped_from_a_describing_word_is_that_word():
    shoes = Vocabulary.learn(
        ["Casual shoes, olive", "Casual shoes, white", "Casual shoes, navy", "Formal shoes, black",
         "Silver sandals", "Cotton kurta, red"],
        ["Footwear > Shoes", "Footwear > Shoes", "Footwear > Shoes", "Footwear > Shoes",
         "Footwear > Sandals", "Apparel > Kurtas"],
    )  # fmt: skip
    english = {"causal", "sliver", "cute"}.__contains__

    def nearest(typed):
        return [[] for _ in typed]

    # "causal" is English, but "casual" narrows the shoes asked for, two letters swapped.
    words = understand("olive causal shoes", shoes, nearest, is_word=english)
    assert words.corrections == {"causal": "casual"}
    assert ("casual",) in words.keyword_groups and words.for_encoder.startswith("olive causal")
    # A colour alike ("sliver"); but not where the word narrows another kind than the one
    # asked for (kurtas are not "casual" here), nor for another slip than a swap ("cute").
    assert understand("sliver sandals", shoes, nearest, is_word=english).corrections == {
        "sliver": "silver"
    }
    assert understand("causal kurta", shoes, nearest, is_word=english).corrections == {}
    assert understand("cute shoes", shoes, nearest, is_word=english).corrections == {}


def test_a_word_is_read_with_the_other_spelling_the_catalogue_uses():
    # The shop writes "Lip color" (American); "colour" only in one perfume's brand name.
    titles = [f"Lip color, {colour}" for colour in ("brown", "red", "pink", "nude", "plum")]
    shop = Vocabulary.learn(
        [*titles, "Lip gloss, brown", "Lip gloss, pink", "Perfume by Colour Me", "Cotton kurta",
         "Linen kurta", "Silk kurta"],
        [*["Beauty > Lipstick"] * 5, "Beauty > Lip gloss", "Beauty > Lip gloss",
         "Beauty > Perfume", "Apparel > Kurtas", "Apparel > Kurtas", "Apparel > Kurtas"],
    )  # fmt: skip
    english = {"colour", "color", "lip", "brown"}.__contains__
    words = understand(
        "brown lip colour", shop, lambda typed: [["gloss"]] * len(typed), is_word=english
    )
    # Required as either spelling, and related to nothing else: it is the shop's own word.
    assert ("colour", "color") in words.keyword_groups
    assert words.added == ()


def test_two_words_the_catalogue_writes_as_one_find_it():
    # "sun" is not the shop's word: the two typed words are read as its one word.
    words = understand("black sun glasses", FASHION)
    assert words.corrections == {"sun glasses": "sunglasses"}
    assert words.corrected == "black sunglasses"
    assert words.tsquery == "(black) & (sunglasses)"
    # A typo of one of them is corrected as it would be alone.
    assert understand("sun glasess", FASHION).corrections == {"sun glasess": "sunglasses"}
    # Both the shop's words: found written apart or as one, and nothing said of a correction.
    lamps = Vocabulary.learn(
        ["Linen lampshade, 40 cm", "Brass desk lamp", "Paper shade for a floor lamp"],
        ["Lighting > Shades", "Lighting > Lamps", "Lighting > Shades"],
    )
    words = understand("lamp shade", lamps)
    assert (words.corrections, words.tsquery) == ({}, "(lamp & shade | lampshade)")
    assert words.for_encoder.startswith("lamp shade")


def test_two_words_read_as_one_kind_ask_for_it_not_for_their_last_word():
    # A shop that sells more shirts than tshirts, and rings as well as earrings.
    shop = Vocabulary.learn(
        ["Linen shirt, white", "Oxford shirt, blue", "Flannel shirt, red", "Cotton tshirt",
         "Silver hoop earrings", "Gold signet ring", "Silver band ring"],
        ["Clothing > Shirts", "Clothing > Shirts", "Clothing > Shirts", "Clothing > Tshirts",
         "Jewellery > Earrings", "Jewellery > Rings", "Jewellery > Rings"],
    )  # fmt: skip
    # The general lexicon's "t shirt" is the shop's "tshirt", though "shirt" is a kind too.
    words = understand("white t shirt", shop)
    assert words.kinds == ("tshirt",)
    assert shop.wanted(words.for_encoder).head == "shirt"  # its words alone would say shirt
    assert shop.wanted(words.for_encoder, words.kinds).head == "tshirt"
    assert understand("silver ear rings", shop).kinds == ("earrings",)
    # Said as the shop says it: its own word.
    assert understand("white tshirt", shop).kinds == ("tshirt",)


def test_a_product_named_by_any_of_the_shops_words_for_the_kind_asked_for_is_that_kind():
    shop = Vocabulary.learn(
        ["Slim trousers, black", "Chino trousers, beige", "Track pants, grey",
         "Track pants, navy", "Linen shirt, white"],
        ["Clothing > Trousers", "Clothing > Trousers", "Clothing > Sportswear",
         "Clothing > Sportswear", "Clothing > Shirts"],
    )  # fmt: skip
    # British and American words for one thing, both the shop's.
    words = understand("black pants", shop)
    assert words.kinds == ("pants", "trousers")
    wanted = shop.wanted(words.for_encoder, words.kinds)
    assert shop.title_match(wanted, "Slim trousers, black", "Clothing > Trousers")[0] == 1.0
    assert shop.title_match(wanted, "Track pants, grey", "Clothing > Sportswear")[0] == 1.0
    assert shop.title_match(wanted, "Linen shirt, white", "Clothing > Shirts")[0] == 0.0
    # Without them, only the typed word names it.
    alone = shop.wanted(words.for_encoder)
    assert shop.title_match(alone, "Slim trousers, black", "Clothing > Trousers")[0] == 0.0
    # Outside fashion alike: a couch is the furniture shop's sofa.
    couch = understand("grey couch", FURNITURE)
    assert couch.kinds == ("sofa",)
    wanted = FURNITURE.wanted(couch.for_encoder, couch.kinds)
    sofa = FURNITURE.title_match(wanted, "Three-seat sofa, grey fabric", "Furniture > Sofas")
    assert sofa[0] == 1.0


def test_two_common_words_are_not_spelled_into_a_long_word_a_few_letters_away():
    perfumes = Vocabulary.learn(
        ["Lucent eau de parfum", "Blue scent body mist", "Scent of rain cologne"],
        ["Fragrance", "Fragrance", "Fragrance"],
    )
    assert "lucent" not in understand("blu scent", perfumes).tsquery


def test_the_correction_shown_keeps_the_query_as_typed_around_it():
    words = understand("Womens HANBAG, red", FASHION)
    assert words.corrected == "Womens handbag, red"


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [("hnadbags", "handbag"), ("bakpacks", "backpack"), ("womenns", "women")],
)
def test_a_typo_in_a_plural_is_corrected_by_its_singular(typed, corrected):
    # The catalogue's words are known by their stems: a typo and a plural "s" are one edit.
    assert understand(typed, FASHION).corrections[typed].rstrip("s") == corrected


def test_a_typo_of_a_word_as_the_catalogue_spells_it_is_corrected():
    # One edit from "sunglasses", as the titles spell it; three from its stem, "sunglass".
    assert understand("sunglassess", FASHION).corrections == {"sunglassess": "sunglasses"}


def test_a_colour_of_several_words_is_one_word_found_by_its_family():
    words = understand("royal blue handbag", FASHION)
    # "royal" alone is no word of the catalogue's: neither corrected nor matched to a kind.
    assert words.corrections == {} and words.added == ()
    assert words.tsquery == "(blue) & (handbag)"
    assert words.for_encoder == "royal blue handbag"
    # A colour the catalogue names in its own words ("navy blue") is found by them or its family.
    assert understand("navy blue belt", FASHION).tsquery == "(navy & blue | blue) & (belt)"


def test_words_for_him_or_her_find_the_catalogues_audience():
    assert understand("sunglasses for him", FASHION).tsquery == "(sunglasses) & (men)"
    # An audience the catalogue never names asks nothing of the keywords.
    assert understand("sofa for her", FURNITURE).tsquery == "(sofa)"


def test_a_general_word_few_products_use_is_left_to_the_vectors():
    shop = Vocabulary.learn(
        [f"Nike Men {colour} Sneakers" for colour in ("White", "Black", "Red", "Blue")]
        + ["Jockey Classic Men Briefs", "Kallax Shelf"],
        ["Shoes"] * 4 + ["Innerwear", "Furniture"],
    )
    general_words = {"classic", "sneakers", "shelf", "men"}
    words = understand("classic sneakers", shop, is_word=general_words.__contains__)
    # "classic" stays in what the encoder reads, but the sneakers need not say it.
    assert words.for_encoder == "classic sneakers"
    assert words.tsquery == "(sneakers)"
    # A name the catalogue uses, and the kind asked for, are required however rare.
    assert understand("kallax shelf", shop, is_word=general_words.__contains__).tsquery == (
        "(kallax) & (shelf)"
    )


def test_a_rare_word_that_narrows_the_kind_asked_for_stays_required():
    shop = Vocabulary.learn(
        [f"Nike Men {colour} Sneakers" for colour in ("White", "Black", "Red", "Blue")]
        + ["Lakme Pink Lip Gloss", "Lakme Red Lip Liner", "Lakme Brown Lip Balm", "Cheap Tote"],
        ["Shoes"] * 4 + ["Makeup > Lips"] * 3 + ["Bags"],
    )
    general_words = {"gloss", "lip", "cheap", "sneakers", "pink"}
    # One product says "gloss", and it is a lip product: the shopper asks for lip gloss.
    words = understand("pink lip gloss", shop, is_word=general_words.__contains__)
    assert words.tsquery == "(pink) & (lip) & (gloss)"
    # "cheap" is as rare, but no sneaker uses it: it only describes.
    words = understand("cheap sneakers", shop, is_word=general_words.__contains__)
    assert words.tsquery == "(sneakers)"


def test_after_warm_up_an_unknown_word_waits_for_no_preparation(make_product, encoder, monkeypatch):
    # Without the warm-up, the first word that the catalogue does not use embedded thousands
    # of general words (the nearest-kind threshold) inside a shopper's request: 2.8 s. Now
    # the threshold embeds hundreds of common nouns per catalogue: the warm-up does it.
    from search import selectors
    from search.indexing import embed_stale
    from search.warmup import warm_up

    make_product("PACK", title="Wildcraft Unisex Grey Backpack", photos=[])
    # The warm-up's own query ("warm up") then reads only words that the catalogue uses.
    make_product("JACKET", title="Nike Men Warm Up Jacket", photos=[])
    embed_stale(encoder)
    selectors._nearest_kind_terms.cache_clear()
    assert warm_up() is True

    encoded: list[str] = []
    encode_texts = encoder.encode_texts

    def counting(texts):
        encoded.extend(texts)
        return encode_texts(texts)

    monkeypatch.setattr(encoder, "encode_texts", counting)
    # A word that WordNet relates to no kind of this shop: the encoder's nearest is sought.
    results = selectors.search(selectors.SearchQuery(text="schoolbag"))
    assert results.hits and len(encoded) <= 2  # the word for its nearest kind, the query
    # What the warm-up loaded is left out of the garbage collector's full passes (each walks
    # what get_objects() lists: half a million objects, 270 ms and more, were walked before).
    vocabulary = catalogue_vocabulary.get()
    assert gc.is_tracked(vocabulary) and not any(held is vocabulary for held in gc.get_objects())


def test_a_word_the_catalogue_uses_but_never_for_a_kind_also_finds_its_nearest_kinds():
    shop = Vocabulary.learn(
        [f"Puma Men {colour} Sports Shoes" for colour in ("White", "Black", "Red", "Blue")]
        + ["Nike Trainer Socks", "Adidas White Socks"],
        ["Footwear > Shoes"] * 4 + ["Accessories > Socks"] * 2,
    )
    asked = []

    def nearest(typed):
        asked.extend(typed)
        return [["shoes"] if word == "trainers" else [] for word in typed]

    # One product says "trainer", of socks: the shopper's trainers are the shop's shoes too.
    words = understand("white trainers", shop, nearest)
    assert asked == ["trainers"]
    assert words.tsquery == "(white) & (trainers | shoes)"
    assert words.for_encoder == "white trainers shoes"
    # A word the shop sells a kind by is asked for as it is.
    asked.clear()
    assert understand("white socks", shop, nearest).tsquery == "(white) & (socks)"
    assert asked == []


CLOTHES = Vocabulary.learn(
    [
        "Vero Moda Women Blue Summer Dress",
        "Only Women Red Midi Dress",
        "Levis Men Khaki Trousers",
        "Peter England Men Grey Trousers",
        "Titan Men Steel Watch",
        "Fossil Women Rose Gold Watch",
    ],
    ["Apparel > Dresses"] * 2 + ["Apparel > Trousers"] * 2 + ["Accessories > Watches"] * 2,
)
ELECTRONICS = Vocabulary.learn(
    ['Samsung 55" 4K Television', "LG OLED Television 65 inch", "Sony Wireless Headphones"],
    ["Electronics > TV", "Electronics > TV", "Electronics > Audio"],
)


@pytest.mark.parametrize(
    ("vocabulary", "typed", "kind"),
    [
        (CLOTHES, "cute frock", "dress"),  # the same thing
        (CLOTHES, "cheap chinos", "trousers"),  # a broader one
        (CLOTHES, "timepiece for him", "watch"),  # a narrower one
        (FURNITURE, "grey settee", "sofa"),
        (ELECTRONICS, "big telly", "television"),
    ],
)
def test_general_english_relates_a_shoppers_word_to_the_catalogues_kind(vocabulary, typed, kind):
    asked = []

    def nearest(words):
        asked.extend(words)
        return [[] for _ in words]

    words = understand(typed, vocabulary, nearest)
    assert kind in words.added and words.for_encoder.startswith(typed)
    # The encoder is asked only for what general English does not relate ("cute", "big").
    assert typed.split()[1] not in asked
    assert any(kind in group for group in words.keyword_groups)


def test_a_shops_own_word_for_a_kind_is_kept_as_its_own():
    shop = Vocabulary.learn(
        ["Boden Girls Floral Frock", "Boden Girls Blue Frock", "Boden Women Linen Dress"],
        ["Kids > Frocks", "Kids > Frocks", "Women > Dresses"],
    )
    assert understand("floral frock", shop).added == ()


def test_a_word_that_only_describes_the_kind_asked_for_is_not_related_to_another_kind():
    asked = []

    def nearest(words):
        asked.extend(words)
        return [["watch"] for _ in words]  # whatever the encoder finds nearest

    # "party" is no word of this shop's and not what the shopper asks for: the dress is.
    words = understand("red party dress", CLOTHES, nearest, is_word=lambda word: True)
    assert asked == [] and words.added == ()
    assert words.tsquery == "(red) & (dress)"
    # A word alone is what the shopper asks for.
    assert understand("party", CLOTHES, nearest, is_word=lambda word: True).added == ("watch",)


def test_the_encoders_nearest_kind_must_be_nearer_than_unrelated_words_come_by_chance(encoder):
    nearest = NearestKindTerms(word_vectors(encoder))
    assert nearest(FASHION, ["schoolbag", "theology", "stylish"]) == [["backpack"], [], []]
    # Measured per catalogue: the same word is near a furniture shop's kinds only by chance.
    assert nearest(FURNITURE, ["schoolbag"]) == [[]]


def test_the_chance_nearness_is_measured_again_only_when_the_kinds_change(encoder, monkeypatch):
    nearest = NearestKindTerms(word_vectors(encoder))
    measured = []
    measure = nearest.chance_nearness

    def counting(vocabulary, kinds):
        measured.append(vocabulary)
        return measure(vocabulary, kinds)

    monkeypatch.setattr(nearest, "chance_nearness", counting)
    titles = ["Nike Men White Sneakers", "Wildcraft Unisex Grey Backpack", "Puma Red Sneakers"]
    categories = ["Footwear > Shoes", "Accessories > Bags", "Footwear > Shoes"]
    nearest(Vocabulary.learn(titles, categories), ["schoolbag"])
    # Learned again after an edit, with the same kinds in another order of counts.
    nearest(Vocabulary.learn([*titles, "Wildcraft Blue Backpack"], [*categories, "Bags"]), ["x"])
    assert len(measured) == 1
    nearest(FURNITURE, ["schoolbag"])
    assert len(measured) == 2


def test_at_most_how_many_listings_the_words_can_match_is_read_from_the_catalogues_counts():
    def most(text: str, vocabulary: Vocabulary) -> int:
        return most_matches(understand(text, vocabulary), vocabulary)

    assert most("sunglasses", FASHION) == 1
    assert most("black", FASHION) == 2
    # Every word must match: no more than the rarest word's listings.
    assert most("black sunglasses", FASHION) == 1
    assert most("brass lamp", FURNITURE) == 1
    assert most("purple", FASHION) == 0  # no word the catalogue uses: nothing to search


def test_a_word_the_shop_uses_otherwise_finds_the_kind_english_calls_it_too():
    # "Denim" names one listing (a fragrance of that brand) and describes a few others, among
    # a thousand: no kind the shop sells by that name, so English's word for the same thing,
    # "jeans", is added.
    colours = ["Blue", "Black", "Grey", "White", "Navy"]
    others = [
        (f"{brand} Men {colour} {kind}", f"Apparel > {kind}")
        for brand in ("Levis", "Wrangler", "Roadster", "Pepe")
        for colour in colours
        for kind in ("Jeans", "Shirts", "Shorts", "Jackets")
    ] * 13
    shop = Vocabulary.learn(
        *zip(
            *[
                ("Denim for Men", "Care > Fragrance"),
                ("Flying Machine Men Denim Shorts", "Apparel > Shorts"),
                ("Levis Men Denim Shirt", "Apparel > Shirts"),
                ("Roadster Men Denim Jacket", "Apparel > Jackets"),
                *others,
            ],
            strict=True,
        )
    )
    assert shop.kinds["denim"] == 1 and not shop.names_kind("denim") and shop.names_kind("jean")
    words = understand("denims for women", shop, is_word=lambda word: True)
    assert words.added == ("jeans",) and words.for_encoder.startswith("denims for women")
    assert ("denims", "jeans") in words.keyword_groups
    # The words it names its products by keep the shop's meaning: "shorts" alone.
    assert understand("denim shorts", shop, is_word=lambda word: True).added == ()
