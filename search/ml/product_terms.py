"""A product's terms, as a query's words are compared with them: the stemmed words of its title
and category path, its colours' families and shades, and whom it is for."""

from dataclasses import dataclass
from functools import lru_cache

from search.ml.words import AUDIENCES, UNISEX, colours_in, shades_in, stem, words


@dataclass(frozen=True)
class ProductTerms:
    """The stemmed words of a product's title and category, its colour families and audiences."""

    terms: frozenset[str]
    genders: frozenset[str]
    shades: frozenset[str] = frozenset()

    @staticmethod
    def of(title: str, category: str) -> "ProductTerms":
        return _product_terms(title, category)


def suits_audience(wanted: str, audiences: frozenset[str]) -> bool:
    """Whether a product for `audiences` suits a query that asks for `wanted`: a query that
    asks for none or for anyone, a product that names none or is unisex, or the same."""
    return not wanted or wanted == UNISEX or not audiences or bool({wanted, UNISEX} & audiences)


# A search reads the words of every candidate that it ranks, and the same products come back
# query after query: a process remembers the terms of this many (about 1 KB each).
PRODUCT_TERMS_REMEMBERED = 20_000


@lru_cache(maxsize=PRODUCT_TERMS_REMEMBERED)
def _product_terms(title: str, category: str) -> ProductTerms:
    tokens = words(f"{title} {category}")
    return ProductTerms(
        terms=frozenset(stem(token) for token in tokens) | colours_in(tokens),
        genders=frozenset(AUDIENCES[token] for token in tokens if token in AUDIENCES),
        shades=shades_in(tokens),
    )
