"""What a query's matches hold, counted over all of them and not one page: by category, price
band, stock, colour and variant option; and the orders a shopper may sort them in. Both read the
catalogue facts that search.retrieval brings with each candidate (no query of their own).

A product with variants has the prices of the variants the filters allow: it counts in each
price band one of them falls in (as the band's filter finds it), and sorts by the lowest of them
in stock, the price a shopper would pay for the cheapest one they can buy."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from catalog.models import Category

# Sort orders: relevance (the ranking's), price either way (unpriced last), newest first.
SORTS = ("relevance", "price", "-price", "newest")
# The categories a facet lists, most matches first.
CATEGORIES_LISTED = 12
# The variant options listed (the most common names), and the values of each (the most common,
# listed in the merchants' order: S, M, L).
OPTION_NAMES_LISTED = 4
OPTION_VALUES_LISTED = 12
# Price bands cut the matches' prices at their quartiles, rounded to two significant digits.
PRICE_QUANTILES = (0.25, 0.5, 0.75)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class MatchFacts:
    category_id: int | None
    # What it sorts by: its own price, or the lowest that its variants the filters allow ask
    # (those in stock first).
    price: Decimal | None
    currency: str
    in_stock: bool
    created_at: datetime
    prices: tuple[Decimal, ...] = ()  # every price it is sold at that the filters allow
    colours: tuple[str, ...] = ()  # its colour families (search.ml.product_colours)
    # Its variants' options in stock, (name, value) pairs in the order its merchant lists them.
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PriceBand:
    low: Decimal  # inclusive
    high: Decimal | None  # inclusive (None: no bound), as the price filter reads it
    count: int


@dataclass(frozen=True)
class OptionFacet:
    name: str  # as Variant.options writes it: "size"
    values: list[tuple[str, int]] = field(default_factory=list)  # value, matches with it in stock


@dataclass(frozen=True)
class Facets:
    categories: list[tuple[Category, int]]
    price_bands: list[PriceBand]
    currency: str  # of the bands: "" where the matches are priced in several or none
    in_stock: int
    colours: list[tuple[str, int]] = field(default_factory=list)  # family, matches; most first
    options: list[OptionFacet] = field(default_factory=list)


def facets_of(facts: list[MatchFacts]) -> Facets:
    by_category = Counter(fact.category_id for fact in facts if fact.category_id is not None)
    listed = by_category.most_common(CATEGORIES_LISTED)
    categories = Category.objects.in_bulk([pk for pk, _ in listed])
    currencies = {fact.currency for fact in facts if fact.price is not None}
    currency = next(iter(currencies)) if len(currencies) == 1 else ""
    priced = [fact for fact in facts if fact.price is not None] if currency else []
    by_colour = Counter(colour for fact in facts for colour in fact.colours)
    return Facets(
        categories=[(categories[pk], count) for pk, count in listed if pk in categories],
        price_bands=_price_bands(priced),
        currency=currency,
        in_stock=sum(fact.in_stock for fact in facts),
        colours=sorted(by_colour.items(), key=lambda item: (-item[1], item[0])),
        options=_option_facets(facts),
    )


def _price_bands(priced: list[MatchFacts]) -> list[PriceBand]:
    """Bands cut at the quartiles of the prices the matches sort by; a match counts in each band
    that one of its prices falls in."""
    if not priced:
        return []
    prices = sorted(fact.price for fact in priced)
    edges = sorted(
        {_rounded(prices[int(share * (len(prices) - 1))]) for share in PRICE_QUANTILES}
        - {Decimal(0)}
    )
    lows = [Decimal(0), *edges]
    bands = []
    for i, low in enumerate(lows):
        high = edges[i] - _CENT if i < len(edges) else None
        count = sum(
            any(price >= low and (high is None or price <= high) for price in fact.prices)
            for fact in priced
        )
        if count:
            bands.append(PriceBand(low, high, count))
    return bands


def _option_facets(facts: list[MatchFacts]) -> list[OptionFacet]:
    """Per option name, how many matches have each value in stock. Values match in any case,
    as the option filter does; each is shown as most merchants write it."""
    matches: defaultdict[str, Counter[str]] = defaultdict(Counter)  # name -> value -> matches
    spellings: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    # Where each value stands in its merchants' lists, summed over the matches that have it.
    places: Counter[tuple[str, str]] = Counter()
    for fact in facts:
        listed: defaultdict[str, list[str]] = defaultdict(list)  # this match's values, in order
        for name, value in fact.options:
            key = value.lower()
            if key not in listed[name]:
                places[name, key] += len(listed[name])
                listed[name].append(key)
                matches[name][key] += 1
            spellings[name, key][value] += 1
    names = sorted(matches, key=lambda name: (-matches[name].total(), name))
    facets = []
    for name in names[:OPTION_NAMES_LISTED]:
        counts = matches[name]
        common = [key for key, _ in counts.most_common(OPTION_VALUES_LISTED)]
        common.sort(key=lambda key: (places[name, key] / counts[key], key))
        values = [(spellings[name, key].most_common(1)[0][0], counts[key]) for key in common]
        facets.append(OptionFacet(name, values))
    return facets


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
