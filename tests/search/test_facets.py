"""Facets counted over all of a query's matches, and the orders the matches can be sorted in."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from search.facets import MatchFacts, facets_of, sorted_ids
from search.indexing import embed_stale

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def fact(
    price: str | None,
    stock: int = 1,
    category: int | None = 1,
    age_days: int = 0,
    prices: tuple[str, ...] = (),
    **facts,
):
    """A match's facts: `prices` are its variants' (else its own `price` alone)."""
    own = None if price is None else Decimal(price)
    return MatchFacts(
        category_id=category,
        price=own,
        currency="USD",
        in_stock=stock > 0,
        created_at=NOW - timedelta(days=age_days),
        prices=tuple(map(Decimal, prices)) or (() if own is None else (own,)),
        **facts,
    )


def test_price_bands_cut_the_matches_prices_at_rounded_quartiles(db):
    prices = ["4.99", "9.50", "12.00", "19.99", "24.00", "38.00", "45.50", "120.00", None]
    facets = facets_of([fact(price, category=None) for price in prices])
    bands = [(band.low, band.high, band.count) for band in facets.price_bands]
    # Quartiles 9.50, 19.99 and 38.00, at two significant digits: 9.5, 20, 38.
    assert bands == [
        (Decimal(0), Decimal("9.49"), 1),
        (Decimal("9.50"), Decimal("19.99"), 3),
        (Decimal(20), Decimal("37.99"), 1),
        (Decimal(38), None, 3),
    ]
    assert sum(count for _, _, count in bands) == 8  # every priced match, once
    assert facets.currency == "USD"


def test_no_price_bands_across_currencies(db):
    facts = [fact("10"), MatchFacts(1, Decimal("1200"), "JPY", True, NOW, (Decimal("1200"),))]
    facets = facets_of(facts)
    assert facets.price_bands == [] and facets.currency == ""


def test_sorting_keeps_unpriced_last_and_ties_in_relevance_order():
    facts = {1: fact("30"), 2: fact(None), 3: fact("10", age_days=3), 4: fact("30", age_days=1)}
    relevance = [1, 2, 3, 4]
    assert sorted_ids(relevance, facts, "price") == [3, 1, 4, 2]
    assert sorted_ids(relevance, facts, "-price") == [1, 4, 3, 2]
    assert sorted_ids(relevance, facts, "newest") == [1, 2, 4, 3]
    assert sorted_ids(relevance, facts, "relevance") == relevance


@pytest.fixture
def kurtas(make_product, encoder):
    """Six kurtas in two categories; one without a price, one out of stock."""
    for sku, price, stock, category in [
        ("K1", "10.00", 3, "Apparel > Topwear"),
        ("K2", "20.00", 0, "Apparel > Topwear"),
        ("K3", "30.00", 3, "Apparel > Topwear"),
        ("K4", "40.00", 3, "Apparel > Topwear"),
        ("K5", "100.00", 3, "Apparel > Ethnic"),
        ("K6", None, 3, "Apparel > Ethnic"),
    ]:
        make_product(
            sku,
            title=f"Red cotton kurta {sku}",
            price=price and Decimal(price),
            stock=stock,
            category_path=category,
        )
    embed_stale(encoder)


def test_the_api_counts_facets_over_all_matches_and_sorts_them(kurtas):
    client = APIClient()
    # A page of 2: the facets still count all six matches (no ranking is trained: all count).
    answer = client.get("/api/v1/search/", {"q": "red kurta", "limit": 2}).json()
    facets = answer["facets"]
    assert answer["count"] == 6 and len(answer["results"]) == 2
    assert {entry["path"]: entry["count"] for entry in facets["categories"]} == {
        "apparel/topwear": 4,
        "apparel/ethnic": 2,
    }
    assert facets["in_stock"] == 5 and facets["currency"] == "USD"
    assert sum(band["count"] for band in facets["price_bands"]) == 5
    cheapest = client.get("/api/v1/search/", {"q": "red kurta", "sort": "price"}).json()
    assert [hit["sku"] for hit in cheapest["results"]] == ["K1", "K2", "K3", "K4", "K5", "K6"]
    dearest = client.get("/api/v1/search/", {"q": "red kurta", "sort": "-price"}).json()
    assert [hit["sku"] for hit in dearest["results"]][:2] == ["K5", "K4"]
    bad = client.get("/api/v1/search/", {"q": "red kurta", "sort": "cheapest"})
    assert bad.status_code == 400


def test_the_page_links_each_facet_to_the_search_it_narrows_to(client, kurtas):
    page = client.get("/search/", {"q": "red kurta", "sort": "price"}).content.decode()
    facets = page.split("data-facets", 1)[1].split("</nav>", 1)[0]
    link = re.search(
        r'href="\?([^"]+)">Apparel &gt; Ethnic</a> <span class="facet-count">2', facets
    )
    assert link and "sort=price" in link.group(1)  # the facet keeps the chosen order
    narrowed = client.get("/search/?" + link.group(1).replace("&amp;", "&")).content.decode()
    assert "2 products" in narrowed
    titles = re.findall(r'<span class="card-title">([^<]+)</span>', narrowed)
    assert titles == ["Red cotton kurta K5", "Red cotton kurta K6"]
    assert '>In stock</a> <span class="facet-count">5' in facets
