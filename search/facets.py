"""What a query's matches hold, counted over all of them and not one page: by category, price
band and stock; and the orders a shopper may sort them in. Both read the catalogue facts that
search.retrieval brings with each candidate (no query of their own)."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from catalog.models import Category

# Sort orders: relevance (the ranking's), price either way (unpriced last), newest first.
SORTS = ("relevance", "price", "-price", "newest")
# The categories a facet lists, most matches first.
CATEGORIES_LISTED = 12
# Price bands cut the matches' prices at their quartiles, rounded to two significant digits.
PRICE_QUANTILES = (0.25, 0.5, 0.75)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class MatchFacts:
    category_id: int | None
    price: Decimal | None
    currency: str
    in_stock: bool
    created_at: datetime


@dataclass(frozen=True)
class PriceBand:
    low: Decimal  # inclusive
    high: Decimal | None  # inclusive (None: no bound), as the price filter reads it
    count: int


@dataclass(frozen=True)
class Facets:
    categories: list[tuple[Category, int]]
    price_bands: list[PriceBand]
    currency: str  # of the bands: "" where the matches are priced in several or none
    in_stock: int


def facets_of(facts: list[MatchFacts]) -> Facets:
    by_category = Counter(fact.category_id for fact in facts if fact.category_id is not None)
    listed = by_category.most_common(CATEGORIES_LISTED)
    categories = Category.objects.in_bulk([pk for pk, _ in listed])
    currencies = {fact.currency for fact in facts if fact.price is not None}
    currency = next(iter(currencies)) if len(currencies) == 1 else ""
    prices = sorted(fact.price for fact in facts if fact.price is not None) if currency else []
    return Facets(
        categories=[(categories[pk], count) for pk, count in listed if pk in categories],
        price_bands=_price_bands(prices),
        currency=currency,
        in_stock=sum(fact.in_stock for fact in facts),
    )


def _price_bands(prices: list[Decimal]) -> list[PriceBand]:
    if not prices:
        return []
    edges = sorted(
        {_rounded(prices[int(share * (len(prices) - 1))]) for share in PRICE_QUANTILES}
        - {Decimal(0)}
    )
    lows = [Decimal(0), *edges]
    bands = []
    for i, low in enumerate(lows):
        high = edges[i] - _CENT if i < len(edges) else None
        count = sum(1 for price in prices if price >= low and (high is None or price <= high))
        if count:
            bands.append(PriceBand(low, high, count))
    return bands


def _rounded(price: Decimal) -> Decimal:
    """Two significant digits: 1234.56 -> 1200, 37.99 -> 38."""
    if price <= 0:
        return Decimal(0)
    digits = price.adjusted() - 1
    return price.scaleb(-digits).quantize(Decimal(1)).scaleb(digits).quantize(_CENT)


def sorted_ids(ids: list[int], facts: dict[int, MatchFacts], sort: str) -> list[int]:
    """`ids` (in relevance order; any keys of `facts`) in the order `sort` names; ties keep
    relevance's order."""
    if sort == "price":
        return sorted(ids, key=lambda pk: _price_key(facts.get(pk)))
    if sort == "-price":
        return sorted(ids, key=lambda pk: _price_key(facts.get(pk), descending=True))
    if sort == "newest":
        return sorted(ids, key=lambda pk: -facts[pk].created_at.timestamp() if pk in facts else 0)
    return ids


def _price_key(fact: MatchFacts | None, descending: bool = False) -> tuple[bool, Decimal]:
    if fact is None or fact.price is None:
        return (True, Decimal(0))  # unpriced last either way
    return (False, -fact.price if descending else fact.price)
