"""What a catalogue's words say about its products, learned from the catalogue: what kind of
thing a product is, its colours and audience, on catalogues of different styles."""

import pickle

import pytest

from search.ml.lexicon import colour_families, shade
from search.ml.product_terms import ProductTerms
from search.ml.sampled_from import SampledFrom
from search.ml.training.labels import relevance
from search.ml.vocabulary import Vocabulary
from search.ml.words import carries_meaning, words_of_all
from search.typos import correct

# The same kinds of thing, in three merchants' styles: brand first with the kind last, kind
# first, and another domain with codes and sizes in its titles.
FASHION = [
    ("Fabindia Men Printed Red Kurta", "Apparel > Topwear > Kurtas"),
    ("Biba Women Green Kurta", "Apparel > Topwear > Kurtas"),
    ("Arrow Men Blue Shirt", "Apparel > Topwear > Shirts"),
    ("Arrow Men Blue & Black Check Shirt", "Apparel > Topwear > Shirts"),
    ("Arrow Men Black Shirt", "Apparel > Topwear > Shirts"),
    ("Puma Men Future Cat Black Shoes", "Footwear > Shoes"),
    ("Puma Women White Shoes", "Footwear > Shoes"),
    ("Puma Men Grey Tshirt", "Apparel > Topwear > Tshirts"),
    ("Denim Men Original Deodorant", "Personal Care > Fragrance"),
    ("Femella Women Shirt Dress", "Apparel > Dress"),
]
NOUN_FIRST = [
    ("Sneakers, white, leather (Nike)", "Men > Shoes > Sneakers"),
    ("Sneakers in navy, canvas (Vans)", "Women > Shoes > Sneakers"),
    ("Pants, gray, slim fit (Levis)", "Men > Clothing > Pants"),
    ("Pants in black, wide leg (Zara)", "Women > Clothing > Pants"),
    ("Purse, burgundy, quilted (Guess)", "Women > Bags > Purses"),
]
HOME = [
    ("KALLAX Shelf unit, white, 77x147 cm", "Furniture > Storage > Shelves"),
    ("BILLY Shelf unit, oak veneer, 80x202 cm", "Furniture > Storage > Shelves"),
    ("Mid-century walnut coffee table", "Furniture > Living room > Tables"),
    ("Round coffee table, black, 90 cm", "Furniture > Living room > Tables"),
    ("Apple iPhone 15 Pro 256GB Space Black", "Electronics > Phones"),
    ("Samsung Galaxy S24 128GB Onyx Black phone", "Electronics > Phones"),
]


def learned(rows: list[tuple[str, str]]) -> Vocabulary:
    return Vocabulary.learn([title for title, _ in rows], [category for _, category in rows])


@pytest.mark.parametrize(
    ("rows", "title", "category", "kind", "colours", "audience"),
    [
        (FASHION, "Fabindia Men Printed Red Kurta", "Apparel > Topwear > Kurtas", "kurta",
         {"red"}, "men"),
        (FASHION, "Arrow Men Blue & Black Check Shirt", "Apparel > Topwear > Shirts", "shirt",
         {"blue", "black"}, "men"),
        # Noun first, audience only in the category path, US colour words.
        (NOUN_FIRST, "Pants, gray, slim fit (Levis)", "Men > Clothing > Pants", "pant",
         {"grey"}, "men"),
        (NOUN_FIRST, "Purse, burgundy, quilted (Guess)", "Women > Bags > Purses", "purse",
         {"red"}, "women"),
        # No audience at all; codes, sizes and multi-word colours are not the kind.
        (HOME, "KALLAX Shelf unit, white, 77x147 cm", "Furniture > Storage > Shelves", "shelf",
         {"white"}, ""),
        (HOME, "Samsung Galaxy S24 128GB Onyx Black phone", "Electronics > Phones", "phone",
         {"black"}, ""),
    ],
)  # fmt: skip
def test_kind_colours_and_audience_are_read_in_any_titles_order(
    rows, title, category, kind, colours, audience
):
    found = learned(rows).attributes(title, category)
    assert (found.head, set(found.colours), found.gender) == (kind, colours, audience)


def test_a_title_without_its_category_is_read_by_the_words_that_tell_categories_apart():
    vocabulary = learned(FASHION)
    # "kurta" names one category; the brand and "printed" say nothing of what it is.
    assert vocabulary.attributes("Fabindia Printed Kurta Red").head == "kurta"
    assert vocabulary.attributes("shoes for men puma").head == "shoe"


# One category's titles, as a merchant writes them: most of "Shoes" are called shoes, "Saree"
# calls its saris otherwise, and "Watches" holds watches and wristwatches.
ONE_CATEGORY_MANY_KINDS = [
    *[(f"Puma Men {colour} Casual Shoes", "Footwear > Shoes") for colour in ("Black", "White")],
    ("Nike Women Pink Sports Shoes", "Footwear > Shoes"),
    ("Catwalk Women Red Heels", "Footwear > Shoes"),
    ("Carlton London Women Flats", "Footwear > Shoes"),
    *[(f"Ishin Women {colour} Sari", "Apparel > Saree") for colour in ("Red", "Green", "Blue")],
    ("Ishin Women Black Sari", "Apparel > Saree"),
    *[(f"Nanda Women {colour} Saree", "Apparel > Saree") for colour in ("Cream", "Pink", "Gold")],
    *[(f"Titan Men {colour} Watch", "Accessories > Watches") for colour in ("Black", "Gold")],
    ("Casio Men Silver Watch", "Accessories > Watches"),
    ("Fossil Men Blue Wristwatch", "Accessories > Watches"),
]
STYLES = FASHION + NOUN_FIRST


@pytest.mark.parametrize(
    ("rows", "noun", "title", "category", "named"),
    [
        (STYLES, "shoe", "Puma Men Future Cat Black Shoes", "Footwear > Shoes", 1.0),
        (STYLES, "topwear", "Fabindia Men Printed Red Kurta", "Apparel > Topwear", 1.0),
        # Its category's own name, though its title calls it otherwise ("wristwatch").
        (STYLES, "watch", "Wristwatch in blue (Fossil)", "Men > Watches", 1.0),
        # Only a broader category of its path: of it, but another kind of it.
        (STYLES, "topwear", "Fabindia Men Printed Red Kurta", "Apparel > Topwear > Kurtas", 0.5),
        (STYLES, "shoe", "Heeled sandals in black (HM)", "Women > Shoes > Pumps & Heels", 0.5),
        # A word elsewhere in the title is not what the product is: a brand, a material.
        (STYLES, "denim", "Denim Men Original Deodorant", "Personal Care > Fragrance", 0.0),
        (STYLES, "shirt", "Femella Women Shirt Dress", "Apparel > Dress", 0.0),
        (STYLES, "shoe", "Item 37051", "", 0.0),  # a product without words names nothing
        (STYLES, "", "Fabindia Men Printed Red Kurta", "Apparel > Topwear", 0.0),
        # Most of "Shoes" are called shoes: one its title calls heels is a narrower kind.
        (ONE_CATEGORY_MANY_KINDS, "shoe", "Catwalk Women Red Heels", "Footwear > Shoes", 0.5),
        (ONE_CATEGORY_MANY_KINDS, "heel", "Catwalk Women Red Heels", "Footwear > Shoes", 1.0),
        (ONE_CATEGORY_MANY_KINDS, "shoe", "Puma Men Black Casual Shoes", "Footwear > Shoes", 1.0),
        # One word that ends in the kind is a kind of it.
        (ONE_CATEGORY_MANY_KINDS, "watch", "Fossil Men Blue Wristwatch", "Accessories > Watches",
         1.0),
        # Fewer than half of "Saree" are called sarees: the category's name is the shop's word
        # for them all.
        (ONE_CATEGORY_MANY_KINDS, "saree", "Ishin Women Red Sari", "Apparel > Saree", 1.0),
    ],
)  # fmt: skip
def test_a_product_names_the_kind_by_its_title_or_own_category_half_as_another_kind_of_it(
    rows, noun, title, category, named
):
    assert learned(rows).kind_named({noun}, title, category) == named


@pytest.mark.parametrize(
    ("query", "title", "colours"),
    [
        ("men blue shirt", "Arrow Men Blue Shirt", 1.0),
        ("men navy shirt", "Arrow Men Blue Shirt", 1.0),  # one colour family
        ("men blue shirt", "Arrow Men Blue & Black Check Shirt", 0.5),  # among others
        ("men blue shirt", "Arrow Men Black Shirt", 0.0),
        ("men shirt", "Arrow Men Blue Shirt", 0.0),  # a query without colours
    ],
)
def test_a_title_names_the_query_colours_alone_or_among_others(query, title, colours):
    vocabulary = learned(FASHION)
    wanted = vocabulary.wanted(query)
    assert vocabulary.title_match(wanted, title, "Apparel > Topwear > Shirts")[:3] == (
        1.0,
        colours,
        0.0,
    )


def test_a_title_in_another_shade_of_the_colour_asked_for_names_it_less():
    vocabulary = Vocabulary.learn(
        ["Arrow Men Navy Blue Shirt", "Arrow Men Blue Shirt", "Arrow Men Blue & Black Shirt"],
        ["Shirts", "Shirts", "Shirts"],
    )
    colours = {
        (query, title): vocabulary.title_match(vocabulary.wanted(query), title, "Shirts")[1]
        for query in ("navy shirt", "blue shirt")
        for title in ("Arrow Men Navy Blue Shirt", "Arrow Men Blue Shirt")
    }
    assert colours == {
        ("navy shirt", "Arrow Men Navy Blue Shirt"): 1.0,
        ("navy shirt", "Arrow Men Blue Shirt"): 0.75,
        ("blue shirt", "Arrow Men Navy Blue Shirt"): 0.75,
        ("blue shirt", "Arrow Men Blue Shirt"): 1.0,
    }
    # Among other colours, in another shade: three quarters of a half.
    wanted = vocabulary.wanted("navy shirt")
    assert vocabulary.title_match(wanted, "Arrow Men Blue & Black Shirt", "Shirts")[1] == 0.375


@pytest.mark.parametrize(
    ("query", "title", "category", "audience"),
    [
        ("women sneakers", "Nike Women White Sneakers", "Footwear > Shoes", 1.0),
        ("women sneakers", "Sneakers, white - Nike", "Women > Shoes > Sneakers", 1.0),
        ("sneakers for her", "Sneakers, white - Nike", "Men > Shoes > Sneakers", -1.0),
        ("women sneakers", "Nike Unisex White Sneakers", "Footwear > Shoes", 1.0),
        ("women sneakers", "Nike White Sneakers", "Footwear > Shoes", 0.0),  # names none
        ("sneakers", "Nike Men White Sneakers", "Footwear > Shoes", 0.0),  # asks for none
        ("boys sneakers", "Nike Men White Sneakers", "Footwear > Shoes", -1.0),
    ],
)
def test_a_products_words_name_the_audience_asked_for_or_another(query, title, category, audience):
    vocabulary = learned(FASHION)
    assert vocabulary.title_match(vocabulary.wanted(query), title, category)[3] == audience


@pytest.mark.parametrize(
    ("asked", "named", "same"),
    [
        ("navy blue", "navy", True),
        ("charcoal gray", "charcoal", True),  # US spelling of the family, left out
        ("gray", "grey", True),
        ("multi colored", "multi color", True),
        ("blue", "navy", False),  # the family's own name is a shade of its own
        ("olive", "green", False),
        ("cream", "off white", False),
    ],
)
def test_a_shade_is_named_however_its_family_is_spelt(asked, named, same):
    assert (shade(asked) == shade(named)) is same
    assert colour_families()[asked] == colour_families()[named]


def test_a_query_asks_for_a_shade_that_no_title_names_as_its_family():
    vocabulary = learned([*FASHION, ("Arrow Men Navy Shirt", "Apparel > Topwear > Shirts")])
    assert vocabulary.wanted("men navy shirt").shades == {"blue:navy"}
    # No title says "jet black" or "cobalt": their families' plain words are the nearest.
    assert vocabulary.wanted("men jet black shirt").shades == {"black:"}
    assert vocabulary.wanted("cobalt shirt").shades == {"blue:"}
    assert vocabulary.wanted("cobalt shirt").colours == {"blue"}


# Tables of a furniture shop: "coffee" and "side" say which tables, and many products use them.
TABLES = [
    ("Round coffee table, black, 90 cm", "Furniture > Living room > Tables"),
    ("Mid-century walnut coffee table", "Furniture > Living room > Tables"),
    ("Coffee table in oak", "Furniture > Living room > Tables"),
    ("Side table, black metal", "Furniture > Living room > Tables"),
    ("Oak side table with drawer", "Furniture > Living room > Tables"),
    ("Dining table, oak, 6 seats", "Furniture > Dining > Tables"),
    ("KALLAX Shelf unit, white, 77x147 cm", "Furniture > Storage > Shelves"),
]


@pytest.mark.parametrize(
    ("query", "title", "category", "gain", "other_words"),
    [
        # Another domain: a coffee table is what "black coffee table" asks for, one in oak
        # is of the kind asked for; a side table of a broader kind, worth half as much; a
        # shelf nothing.
        ("black coffee table", "Round coffee table, black, 90 cm", "", 2, 1.0),
        ("black coffee table", "Coffee table in oak", "", 1, 1.0),
        ("black coffee table", "Side table, black metal", "", 1, 0.0),
        ("black coffee table", "Oak side table with drawer", "", 0.5, 0.0),
        ("black coffee table", "KALLAX Shelf unit, white, 77x147 cm", "", 0, 0.0),
        ("charcoal coffee table", "Round coffee table, black, 90 cm", "", 1, 1.0),
        # Fashion: the shade asked for, then its family, then any colour.
        ("women olive kurta", "Biba Women Olive Kurta", "Apparel > Topwear > Kurtas", 2, 0.0),
        ("women olive kurta", "Biba Women Green Kurta", "Apparel > Topwear > Kurtas", 1.5, 0.0),
        ("women olive kurta", "Biba Women Red Kurta", "Apparel > Topwear > Kurtas", 1, 0.0),
        ("men olive kurta", "Biba Women Olive Kurta", "Apparel > Topwear > Kurtas", 1, 0.0),
        # Of a broader category than the kind asked for: half.
        ("black shoes", "Sneakers, black (Nike)", "Men > Shoes > Sneakers", 1, 0.0),
        ("black shoes", "Sneakers, white (Nike)", "Men > Shoes > Sneakers", 0.5, 0.0),
        ("black shoes", "Puma Men Future Cat Black Shoes", "Footwear > Shoes", 2, 0.0),
    ],
)
def test_relevance_asks_for_the_other_words_and_the_shade_the_query_names(
    query, title, category, gain, other_words
):
    vocabulary = learned([*TABLES, *FASHION, ("Biba Women Olive Kurta", "Apparel > Kurtas")])
    wanted = vocabulary.wanted(query)
    named = vocabulary.kind_named(wanted.kind_words, title, category)
    assert relevance(wanted, ProductTerms.of(title, category), named) == gain
    assert vocabulary.title_match(wanted, title, category)[2] == other_words


def test_the_other_words_asked_for_are_those_that_narrow_the_kind():
    vocabulary = learned(TABLES + FASHION)
    # Every product that says "coffee" or "round" is a table; "cheap" no product says; the kind
    # itself and colours (a wood's too) are asked for otherwise.
    assert vocabulary.wanted("cheap round black coffee table").modifiers == {"coffee", "round"}
    assert vocabulary.wanted("oak side tables").modifiers == {"side"}
    # Puma makes two shoes and one T-shirt: it narrows shoes, not T-shirts.
    assert vocabulary.wanted("puma shoes").modifiers == {"puma"}
    assert vocabulary.wanted("puma tshirt").modifiers == frozenset()


def test_a_word_that_says_what_a_narrowing_word_says_to_english_narrows_alike():
    shoes = learned(
        [("Casual shoes, white", "Footwear > Shoes"), ("Casual shoes, tan", "Footwear > Shoes"),
         ("Formal shoes, black", "Footwear > Shoes"), ("Formal shoes, brown", "Footwear > Shoes"),
         ("Running trainers, blue", "Footwear > Shoes"), *TABLES]
    )  # fmt: skip
    # WordNet's "everyday" clothes are "casual" ones; "dress" shoes are "formal".
    assert shoes.wanted("white everyday shoes").modifiers == {"casual"}
    assert shoes.wanted("brown dress shoes").modifiers == {"formal"}
    # Only words that narrow the kind asked for in this catalogue: no table is "casual".
    assert shoes.wanted("everyday coffee table").modifiers == {"coffee"}
    assert shoes.wanted("cheap shoes").modifiers == frozenset()


@pytest.mark.parametrize(
    "title",
    ["IMG_0042", "DSC01234", "Just in!", "New arrival", "SKU 48213", "Untitled", "photo 7.jpg",
     "Item 37051", "Product 123", "Qwzx"],
)  # fmt: skip
def test_placeholders_file_names_and_codes_say_nothing(title):
    assert not carries_meaning(title)


@pytest.mark.parametrize(
    "title", ["Blue ceramic mug", "KALLAX Shelf unit, white", "Sneakers, white", "Kurta"]
)
def test_a_few_real_words_say_something(title):
    assert carries_meaning(title)


def test_a_brand_that_keeps_to_one_category_is_no_kind_by_meaning():
    """ "Catwalk" makes only shoes, as often as its heels and flats are named: by statistics
    alone it tells categories apart as well as "heels" does. Its meaning is no shoe's."""
    rows = [
        *[("Catwalk Women Red Heels", "Footwear > Shoes")] * 3,
        *[("Catwalk Women Black Flats", "Footwear > Shoes")] * 3,
        ("Rocia Women Gold Heels", "Footwear > Shoes"),
        ("Metro Women Brown Flats", "Footwear > Shoes"),
        *[("Arrow Men Blue Shirt", "Apparel > Topwear")] * 4,
    ]
    titles, categories = [title for title, _ in rows], [category for _, category in rows]
    nearness = {("heels", "shoes"): 0.6, ("flats", "shoes"): 0.5, ("shirt", "topwear"): 0.5}

    def relatedness(words, names):
        return [nearness.get((word, name), 0.1) for word, name in zip(words, names, strict=True)]

    assert Vocabulary.learn(titles, categories).attributes(*rows[0]).head == "catwalk"
    by_meaning = Vocabulary.learn(titles, categories, relatedness)
    assert by_meaning.attributes(*rows[0]).head == "heel"
    assert by_meaning.attributes(*rows[3]).head == "flat"
    assert by_meaning.attributes("Arrow Men Blue Shirt", "Apparel > Topwear").head == "shirt"
    assert "catwalk" not in by_meaning.kinds


def test_meaning_does_not_overrule_a_kind_that_statistics_make_clear():
    """A kurta's category is named "Topwear", which the encoder finds a little nearer to
    "printed" than to "kurta" (0.35 and 0.25, measured): "kurta" still says what it is."""
    rows = [
        *[("Biba Women Printed Kurta", "Apparel > Topwear")] * 4,
        *[("Roadster Men Printed Tshirt", "Apparel > Topwear")] * 2,
        *[("Jealous Women Printed Leggings", "Apparel > Bottomwear")] * 2,
        *[("Levis Men Blue Jeans", "Apparel > Bottomwear")] * 2,
    ]
    titles, categories = [title for title, _ in rows], [category for _, category in rows]
    nearness = {("kurta", "topwear"): 0.25, ("printed", "topwear"): 0.35}

    def relatedness(words, names):
        return [nearness.get((word, name), 0.1) for word, name in zip(words, names, strict=True)]

    by_meaning = Vocabulary.learn(titles, categories, relatedness)
    assert by_meaning.attributes(*rows[0]).head == "kurta"


def test_a_word_english_knows_only_as_describing_names_no_kind():
    """A baker's "Sliced" loaves outnumber those its titles call a loaf or bread, all in one
    category, as a fashion shop's "Printed" kurtis outnumber its "Kurti"s: by statistics alone
    "sliced" tells the categories apart best. English knows it only as a verb's participle."""
    rows = [
        ("Hovis Sliced White Bread", "Bakery > Bread"),
        ("Warburtons Sliced Brown Loaf", "Bakery > Bread"),
        ("Kingsmill Sliced Wholemeal", "Bakery > Bread"),
        ("Sliced Sourdough Bread", "Bakery > Bread"),
        ("Mother Earth Women Blue Printed Kurti", "Apparel > Topwear"),
        ("W Women Wine Printed Kurti", "Apparel > Topwear"),
        ("Biba Women Printed Kurta", "Apparel > Topwear"),
        ("Anchor Salted Butter", "Dairy > Butter"),
        ("Lurpak Unsalted Butter", "Dairy > Butter"),
    ]
    vocabulary = Vocabulary.learn(*zip(*rows, strict=True))
    assert vocabulary.attributes(*rows[1]).head == "loaf"
    assert vocabulary.attributes(*rows[4]).head == "kurti"
    assert vocabulary.attributes(*rows[7]).head == "butter"
    assert not {"sliced", "printed", "salted"} & set(vocabulary.kinds)
    # A title of describing words alone is still read by one of them.
    assert vocabulary.attributes("Sliced", "Bakery > Bread").head == "sliced"


def test_a_vocabulary_learned_from_a_sample_knows_the_words_of_the_products_left_out():
    sample = FASHION[:4]
    left_out = " ".join(f"{title} {category}" for title, category in FASHION[4:])
    vocabulary = Vocabulary.learn(
        [title for title, _ in sample],
        [category for _, category in sample],
        sampled_from=SampledFrom(40, words_of_all([left_out, *(t for t, _ in sample)])),
    )
    assert vocabulary.products == 40
    assert vocabulary.knows("femella") and vocabulary.knows("deodorant")  # not in the sample
    assert vocabulary.frequency["femella"] == 1 and vocabulary.spellings["femella"] == "femella"
    assert vocabulary.frequency["kurta"] == 20  # 2 of 4 sampled: half of 40
    assert "femella" not in vocabulary.postings  # what goes together: the sample's


def test_a_shared_vocabulary_leaves_out_what_each_process_builds_as_it_reads():
    vocabulary = learned(FASHION)
    correct("shrit", vocabulary)  # builds the typo index
    vocabulary.attributes("Arrow Men Blue Shirt")
    copy = pickle.loads(pickle.dumps(vocabulary))
    assert copy.deletes is None and copy._read == {}
    assert copy.frequency == vocabulary.frequency and copy.kindness == vocabulary.kindness
    assert copy.postings.keys() == vocabulary.postings.keys()
    assert all(
        list(copy.postings[word]) == list(found) for word, found in vocabulary.postings.items()
    )
    assert correct("shrit", copy) == "shirt"
    assert pickle.loads(pickle.dumps(Vocabulary.learn([], []))).postings == {}  # a new shop


def test_a_category_s_own_name_is_a_kind_the_shop_sells_by_that_name():
    # The armchairs' titles call them lounge and accent chairs: "Armchairs" is still the shop's
    # name for them, and "chair" names most of what uses it; "oak" names nothing.
    shop = learned(
        [
            ("Lounge chair, rust, W78 cm", "Furniture > Living room > Armchairs"),
            ("The Otto accent chair in rust", "Furniture > Living room > Armchairs"),
            ("Velvet lounge chair, green", "Furniture > Living room > Armchairs"),
            ("Oak dining chair", "Furniture > Dining > Chairs"),
        ]
    )
    assert shop.names_kind("armchair") and shop.names_kind("chair")
    assert shop.kinds["armchair"] == 0 and not shop.names_kind("oak")


# Shoes named as two narrower kinds, which no title names together, and one named as neither;
# shirts that say "checked" and "slim fit", often together: a shirt's details, not its kinds.
NARROWER_KINDS = [
    ("Puma Men Black Casual Shoes", "Footwear > Shoes"),
    ("Vans Unisex White Casual Shoes", "Footwear > Shoes"),
    ("Catwalk Women Brown Casual Shoe", "Footwear > Shoes"),
    ("Nike Men Black Sports Shoes", "Footwear > Shoes"),
    ("Reebok Women Grey Sports Shoes", "Footwear > Shoes"),
    ("ADIDAS Men White Sports Shoe", "Footwear > Shoes"),
    ("Reebok Men Silver Shoe", "Footwear > Shoes"),
    ("Arrow Men Checked Shirt", "Apparel > Shirts"),
    ("Peter England Checked Shirt", "Apparel > Shirts"),
    ("Louis Philippe Checked Shirt", "Apparel > Shirts"),
    ("Arrow Slim Fit Shirt", "Apparel > Shirts"),
    ("Van Heusen Slim Fit Shirt", "Apparel > Shirts"),
    ("Arrow Checked Slim Fit Shirt", "Apparel > Shirts"),
    ("Peter England Checked Slim Fit Shirt", "Apparel > Shirts"),
]


@pytest.mark.parametrize(
    ("query", "title", "other_kind", "other_words", "gain"),
    [
        # Of the kind and colour asked for, lacking only "casual": it may be casual or not.
        ("silver casual shoes", "Reebok Men Silver Shoe", False, 0.0, 1.0),
        # Another narrower kind of shoe: worth half of that once more.
        ("silver casual shoes", "ADIDAS Men White Sports Shoe", True, -1.0, 0.25),
        ("black sports shoes", "Puma Men Black Casual Shoes", True, -1.0, 0.5),
        ("black sports shoes", "Nike Men Black Sports Shoes", False, 1.0, 2.0),
        # "Slim fit" shirts are often checked: not another kind of shirt than "checked".
        ("checked shirt", "Van Heusen Slim Fit Shirt", False, 0.0, 1.0),
        ("checked shirt", "Arrow Men Checked Shirt", False, 1.0, 2.0),
    ],
)
def test_a_product_named_as_another_narrower_kind_is_worth_less(
    query, title, other_kind, other_words, gain
):
    vocabulary = learned(NARROWER_KINDS)
    assert vocabulary.narrower_kinds["shoe"] == {"casual": {"sport"}, "sport": {"casual"}}
    wanted = vocabulary.wanted(query)
    terms = ProductTerms.of(title, "")
    assert vocabulary.names_other_kind(wanted, terms.terms) == other_kind
    assert vocabulary.title_match(wanted, title, "")[2] == other_words
    named = vocabulary.kind_named(wanted.kind_words, title, "")
    assert relevance(wanted, terms, named, other_kind) == gain


def test_two_names_of_one_narrower_kind_are_no_other_kind():
    """A shop that sorts its shoes into categories, whose athletic shoes are "running" or
    "training" shoes, never both: two names of one kind. Its casual shoes are another kind.
    English calls a cocktail table a coffee table."""
    rows = [
        *[("Running shoes, white (Nike)", "Men > Shoes > Athletic Shoes")] * 3,
        *[("Training shoes in black (Puma)", "Men > Shoes > Athletic Shoes")] * 3,
        *[("Casual shoes in black (Arrow)", "Men > Shoes > Sneakers")] * 3,
        *[("Coffee table in oak", "Furniture > Tables")] * 3,
        *[("Cocktail table, black", "Furniture > Tables")] * 3,
        *[("Oak side table with drawer", "Furniture > Tables")] * 3,
    ]
    vocabulary = learned(rows)
    athletic = {"running", "training", "athletic"}
    assert vocabulary.narrower_kinds["shoe"] == {
        **{word: {"casual"} for word in athletic},
        "casual": athletic,
    }
    assert vocabulary.narrower_kinds["table"] == {
        "coffee": {"side"},
        "cocktail": {"side"},
        "side": {"coffee", "cocktail"},
    }
    for query, kinds, others in [
        ("running shoes", ("shoes",), {"Casual shoes in black (Arrow)"}),
        ("coffee table", (), {"Oak side table with drawer"}),
    ]:
        wanted = vocabulary.wanted(query, kinds)
        named = {
            title
            for title, category in rows
            if vocabulary.names_other_kind(wanted, ProductTerms.of(title, category).terms)
        }
        assert named == others
