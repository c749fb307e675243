"""Queries made from the catalogue's own products, as shoppers would type them.

From "Fabindia Men Printed Red Kurta" in "Apparel > Topwear": "men red kurta", "red printed
kurta", "kurta"... The product's kind (as the catalogue's vocabulary reads it) always stays;
its colours and audience often; other words of its title seldom, and only words many products
share, whatever order the merchant writes titles in.
"""

import random
from dataclasses import dataclass

from search.ml.lexicon import find_colours
from search.ml.vocabulary import Vocabulary
from search.ml.words import AUDIENCES, stem, words


@dataclass(frozen=True)
class TextQuery:
    """A text query to learn from; `clicked` is the snapshot row a shopper chose for it."""

    text: str
    clicked: int | None = None


KEEP_GENDER = 0.7
KEEP_COLOUR = 0.7
# A title's other words join a query only when many products share them (Vocabulary.shared):
# a shopper describes a kind of product, never by a model name or code that would find its
# own product by keywords alone.
KEEP_OTHER_WORD = 0.25


def pseudo_query(
    title: str, category: str, vocabulary: Vocabulary, rng: random.Random
) -> str | None:
    """A shopper's query for this product, or None when its words name no kind."""
    read = vocabulary.attributes(title, category)
    if not read.head:
        return None
    tokens = words(title)
    kind = next(
        (token for token in reversed(tokens) if stem(token) == read.head),
        vocabulary.spellings.get(read.head, read.head),
    )
    colour_words = {i for start, end, _ in find_colours(tokens) for i in range(start, end)}
    query = []
    if read.gender and rng.random() < KEEP_GENDER:
        query.append(read.gender)
    if colour_words and rng.random() < KEEP_COLOUR:
        query.extend(tokens[i] for i in sorted(colour_words))
    query.extend(
        token
        for i, token in enumerate(tokens)
        if i not in colour_words
        and token not in AUDIENCES
        and token != kind
        and len(token) > 1
        and vocabulary.shared(token)
        and rng.random() < KEEP_OTHER_WORD
    )
    query.append(kind)
    return " ".join(query)
