"""Rewriting shoppers' words into the catalogue's before a query is encoded and matched."""

import pytest

from search.shopper_words import catalogue_words


@pytest.mark.parametrize(
    ("typed", "rewritten"),
    [
        ("men charcoal sneakers", "men charcoal casual shoes"),
        ("Grey School Rucksack", "Grey School backpack"),
        # hyphens or spaces between a phrase's words, and the plural
        ("women silver high-heeled pumps", "women silver heels"),
        ("women silver high heeled pumps", "women silver heels"),
        # the longer phrase wins over the word inside it
        ("women black party purse", "women black clutch"),
        ("women blue purse", "women blue handbag"),
        ("men beige crew neck tee", "men beige crew neck t-shirt"),
    ],
)
def test_shoppers_phrases_become_the_catalogues_terms(typed, rewritten):
    assert catalogue_words(typed) == rewritten


@pytest.mark.parametrize(
    "typed",
    [
        "women red kurta",  # already the catalogue's words
        "denim jacket",  # "denims" are jeans, but a denim jacket is a jacket
        "that settee",  # words inside other words are left alone ("hat", "tee")
        '"black shoes" -leather',  # web search syntax survives
        "",
    ],
)
def test_a_query_without_shoppers_phrases_is_unchanged(typed):
    assert catalogue_words(typed) == typed
