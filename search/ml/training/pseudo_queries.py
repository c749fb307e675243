"""Queries made from the catalogue's own products, as shoppers would type them.

From "Fabindia Men Printed Red Kurta": "men red kurta", "red printed kurta", "kurta"... The
brand (words before the gender) is left out, some words are dropped at random, and the head
noun always stays.
"""

import random
from dataclasses import dataclass

from search.ml.vocabulary import COLOURS, GENDERS, words


@dataclass(frozen=True)
class TextQuery:
    """A text query to learn from; `clicked` is the snapshot row a shopper chose for it."""

    text: str
    clicked: int | None = None


KEEP_GENDER = 0.7
KEEP_COLOUR = 0.7
KEEP_OTHER_WORD = 0.25


def pseudo_query(title: str, rng: random.Random) -> str | None:
    """A shopper's query for this title, or None when the title names nothing."""
    tokens = [token for token in words(title) if len(token) > 1 or token in GENDERS]
    nouns = [i for i, token in enumerate(tokens) if token not in COLOURS and token not in GENDERS]
    if not nouns:
        return None
    head = nouns[-1]
    gender_at = next((i for i, token in enumerate(tokens) if token in GENDERS), None)
    # A brand comes first: words before the gender, or the first word when none is given.
    first_descriptive = gender_at + 1 if gender_at is not None else min(1, head)
    query = []
    if gender_at is not None and rng.random() < KEEP_GENDER:
        query.append(GENDERS[tokens[gender_at]])
    colours = [token for token in tokens[first_descriptive:head] if token in COLOURS]
    if colours and rng.random() < KEEP_COLOUR:
        query.extend(colours)
    query.extend(
        token
        for token in tokens[first_descriptive:head]
        if token not in COLOURS and token not in GENDERS and rng.random() < KEEP_OTHER_WORD
    )
    query.append(tokens[head])
    return " ".join(query)
