"""The general colour and British/American word lists, and WordNet's nouns: what search relies
on them to say in any shop, and what they must not read into ordinary product words."""

import pytest

from search.ml.lexicon import (
    FAMILIES,
    NOUN_COLOURS,
    colour_families,
    find_colours,
    regional_groups,
)
from search.ml.lexicon.wordnet import only_describes, wordnet_adjectives, wordnet_nouns


def colours(text: str) -> list[tuple[str, str]]:
    found = find_colours(text.split())
    return [(phrase, colour_families()[phrase]) for _, _, phrase in found]


def test_a_multi_word_colour_is_found_whole():
    assert find_colours("navy blue shirt".split()) == [(0, 2, "navy blue")]
    assert colours("navy blue shirt") == [("navy blue", "blue")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("light sea green vase", [("light sea green", "green")]),  # not "sea green"
        ("rose gold watch", [("rose gold", "gold")]),
        ("dark slate gray sofa", [("dark slate gray", "grey")]),
        ("black and white trainers", [("black", "black"), ("white", "white")]),
        ("off white jumper", [("off white", "white")]),
    ],
)
def test_longest_colours_win_and_do_not_overlap(text, expected):
    assert colours(text) == expected


@pytest.mark.parametrize(
    ("british", "american", "family"),
    [
        ("grey", "gray", "grey"),
        ("light grey", "light gray", "grey"),
        ("space grey", "space gray", "grey"),
        ("charcoal grey", "charcoal gray", "grey"),
        ("multicolour", "multicolor", "multi"),
    ],
)
def test_both_spellings_name_the_same_family(british, american, family):
    assert colour_families()[british] == colour_families()[american] == family


@pytest.mark.parametrize(
    ("phrase", "family"),
    [
        ("walnut", "brown"),
        ("oak", "brown"),
        ("space grey", "grey"),
        ("graphite", "grey"),
        ("midnight", "blue"),
        ("rose gold", "gold"),
        ("brushed nickel", "silver"),
        ("navy", "blue"),
        ("ivory", "white"),
        ("charcoal", "grey"),
        ("burgundy", "red"),
        ("mustard", "yellow"),
        ("sage", "green"),
        ("taupe", "beige"),
    ],
)
def test_finishes_and_shades_have_their_basic_family(phrase, family):
    assert colour_families()[phrase] == family


@pytest.mark.parametrize(
    "text",
    ["oxford shirt", "lamp shades", "jumper cables", "sea salt", "skin care", "rose bush"],
)
def test_ordinary_product_words_are_not_colours(text):
    assert find_colours(text.split()) == []


def test_the_colour_lexicon_is_well_formed():
    families = colour_families()
    assert 250 <= len(families) <= 400
    assert set(families.values()) == FAMILIES
    assert all(name == name.lower().strip() and "  " not in name for name in families)
    for excluded in ("sea", "skin", "off", "multi", "rose", "shades", "oxford", "jumper"):
        assert excluded not in families
    assert NOUN_COLOURS - families.keys() == set()


def test_regional_words_are_symmetric():
    groups = regional_groups()
    assert "sofa" in groups["couch"] and "couch" in groups["sofa"]
    for word, others in groups.items():
        assert word not in others
        for other in others:
            assert word in groups[other]


def test_a_word_in_two_groups_gets_both():
    assert {"crib", "camp bed"} <= regional_groups()["cot"]


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("trousers", "pants"),  # clothing
        ("trainers", "sneakers"),  # shoes
        ("aubergine", "eggplant"),  # groceries
        ("crisps", "potato chips"),  # groceries
        ("tap", "faucet"),  # home
        ("duvet", "comforter"),  # home
        ("mobile phone", "cell phone"),  # electronics
        ("torch", "flashlight"),  # electronics
        ("nappies", "diapers"),  # baby
        ("secateurs", "pruning shears"),  # garden
        ("spanner", "wrench"),  # DIY
        ("drawing pin", "thumbtack"),  # stationery
        ("nail varnish", "nail polish"),  # beauty
        ("colour", "color"),  # spelling
        ("jewellery", "jewelry"),  # spelling
    ],
)
def test_groups_cover_many_departments(word, other):
    assert other in regional_groups()[word]


def test_the_regional_list_is_well_formed():
    groups = regional_groups()
    assert all(word == word.lower().strip() and "," not in word for word in groups)
    assert len(groups) >= 300  # 150-300 groups of two or more words


def test_wordnet_reads_a_nouns_forms_and_meanings_commonest_first():
    nouns = wordnet_nouns()
    assert nouns.base_forms("chinos") == ["chino"]
    assert nouns.base_forms("geese") == ["goose"]  # WordNet's own exceptions
    assert nouns.base_forms("qwzx") == [] and nouns.senses("qwzx") == []
    frock = nouns.senses("frock")
    # A cleric's habit is WordNet's first "frock", the dress its second.
    assert frock[0].broader == ("habit",) and "dress" in frock[1].words
    chino = nouns.senses("chinos")[0]
    assert chino.words == ("chino",) and "trouser" in chino.broader
    assert {"clock", "watch"} <= set(nouns.senses("timepiece")[0].narrower)
    assert "lampshade" in nouns.senses("lamp shades")[0].words  # compounds, plural too


def test_wordnet_reads_what_an_adjective_says_with_the_broader_sense_of_a_satellite():
    adjectives = wordnet_adjectives()
    assert ("casual", "everyday", "daily", "informal") in adjectives.meanings("everyday")
    assert "formal" in adjectives.meanings("dress")[0]  # "dress" shoes: a satellite of formal
    # A broader sense does not take in all its satellites: "formal" is not "dress".
    assert all("dress" not in meaning for meaning in adjectives.meanings("formal"))
    assert adjectives.meanings("qwzx") == []


@pytest.mark.parametrize(
    "word", ["casual", "printed", "striped", "woven", "knitted", "sliced", "smoked", "wooden"]
)
def test_wordnet_knows_adjectives_and_participles_that_are_no_nouns_as_only_describing(word):
    assert only_describes(word)


@pytest.mark.parametrize(
    "word", ["shorts", "flats", "heels", "bed", "red", "formal", "kurta", "fabindia", "qwzx"]
)
def test_nouns_and_words_english_does_not_know_may_name_a_kind(word):
    assert not only_describes(word)


def test_two_nouns_name_the_same_thing_in_some_meaning_of_each():
    nouns = wordnet_nouns()
    assert nouns.same_thing("coffee tables", "cocktail table")
    assert nouns.same_thing("sneaker", "tennis shoes")
    assert not nouns.same_thing("coffee table", "side table")
    assert not nouns.same_thing("running shoe", "casual shoe")  # one WordNet lacks
