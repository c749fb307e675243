"""The colour and option facets and filters, and variant prices in the price filter, sort and
bands: counted over all of a query's matches, filtered in SQL."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from catalog.variants import VariantSpec
from search.facets import facets_of
from search.filters import COLOUR_CONDITION, Filters, filter_conditions
from search.indexing import embed_stale
from search.models import ProductIndex, SearchLog
from tests.api_helpers import assert_error
from tests.search.test_facets import fact

URL = "/api/v1/search/"
QUERY = {"q": "cotton tee"}


def test_colours_and_options_are_counted_once_per_match(db):
    facts = [
        fact("10", colours=("blue",), options=(("size", "M"), ("size", "L"))),
        fact("12", colours=("blue", "white"), options=(("size", "m"), ("size", "S"))),
        fact("14", colours=("red",), options=(("size", "L"), ("size", "M"), ("fit", "slim"))),
        fact("16"),
    ]
    facets = facets_of(facts)
    assert facets.colours == [("blue", 2), ("red", 1), ("white", 1)]
    size, fit = facets.options
    # Values in any case are one ("M" and "m"), shown as most write it; listed in the
    # merchants' order (M leads two lists of its three, L one of its two, S none).
    assert size.name == "size" and size.values == [("M", 3), ("L", 2), ("S", 1)]
    assert (fit.name, fit.values) == ("fit", [("slim", 1)])


def test_a_match_counts_in_each_price_band_one_of_its_variants_falls_in(db):
    facts = [fact(price, category=None) for price in ("5", "15", "25", "35")]
    facts.append(fact("8", prices=("8", "30"), category=None))  # variants at 8 and 30
    bands = {(band.low, band.count) for band in facets_of(facts).price_bands}
    # Quartiles 8, 15, 25: the variant product counts under 8 and again from 25 up.
    assert bands == {(Decimal(0), 1), (Decimal(8), 1), (Decimal(15), 1), (Decimal(25), 3)}


@pytest.fixture
def tees(make_product, encoder):
    """Six cotton tees: two blues, an olive, a red, one in variants (black S at 8.00 sold out,
    white M at 11.00, white L at the product's 40.00) and a plain one in sizes."""
    for sku, title, price in [
        ("T1", "Navy blue cotton tee", "12.00"),
        ("T2", "Royal blue cotton tee", "14.00"),
        ("T3", "Olive cotton tee", "15.00"),
        ("T4", "Red cotton tee", "16.00"),
    ]:
        make_product(sku, title=title, price=Decimal(price), stock=4)
    make_product(
        "T5",
        title="Cotton tee",
        price=Decimal("40.00"),
        variants=[
            VariantSpec("T5-S", {"size": "S", "colour": "black"}, Decimal("8.00"), 0),
            VariantSpec("T5-M", {"size": "M", "colour": "white"}, Decimal("11.00"), 2),
            VariantSpec("T5-L", {"size": "L", "colour": "white"}, None, 1),
        ],
    )
    make_product(
        "T6",
        title="Plain cotton tee",
        price=Decimal("18.00"),
        variants=[
            VariantSpec("T6-M", {"size": "M"}, None, 3),
            VariantSpec("T6-L", {"size": "L"}, None, 0),
        ],
    )
    embed_stale(encoder)


def skus(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return [hit["sku"] for hit in answer.json()["results"]]


def test_indexing_stores_each_products_colour_families(tees):
    stored = dict(ProductIndex.objects.values_list("product__sku", "colours"))
    # Tees come in blue and red here, so an olive one is green; T5's colours are its variants'.
    assert stored == {
        "T1": ["blue"],
        "T2": ["blue"],
        "T3": ["green"],
        "T4": ["red"],
        "T5": ["black", "white"],
        "T6": [],
    }


def test_the_api_counts_colours_and_options_over_all_matches(tees):
    answer = APIClient().get(URL, {**QUERY, "limit": 2}).json()
    assert answer["count"] == 6 and len(answer["results"]) == 2
    facets = answer["facets"]
    colours = {entry["colour"]: entry["count"] for entry in facets["colours"]}
    assert colours == {"blue": 2, "green": 1, "red": 1, "black": 1, "white": 1}
    assert facets["colours"][0] == {"colour": "blue", "count": 2}  # most first
    # In stock only: T5's sold-out S is not offered; sizes in the merchants' order.
    assert facets["options"] == [
        {"name": "size", "values": [{"value": "M", "count": 2}, {"value": "L", "count": 1}]},
        {"name": "colour", "values": [{"value": "white", "count": 1}]},
    ]


def test_the_colour_filter_keeps_the_products_of_that_colour(tees):
    client = APIClient()
    assert set(skus(client.get(URL, {**QUERY, "colour": "blue"}))) == {"T1", "T2"}
    assert set(skus(client.get(URL, {**QUERY, "colour": "green"}))) == {"T3"}
    assert set(skus(client.get(URL, {**QUERY, "colour": "black"}))) == {"T5"}
    assert skus(client.get(URL, {**QUERY, "colour": "purple"})) == []
    assert len(skus(client.get(URL, {**QUERY, "colour": ""}))) == 6  # blank: no filter
    refused = client.get(URL, {**QUERY, "colour": "navy"})  # a shade, not a family
    assert_error(refused, 400, "invalid_colour", {"colour"})


def test_the_colour_filter_is_an_indexed_sql_condition(tees):
    conditions, parameters = filter_conditions(Filters(colour="blue"), encoder_version=None)
    assert COLOUR_CONDITION in conditions
    table = ProductIndex._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # six rows: any plan would do
        cursor.execute(f"EXPLAIN SELECT * FROM {table} AS row WHERE {COLOUR_CONDITION}", parameters)
        plan = "\n".join(line for (line,) in cursor.fetchall())
        cursor.execute(
            f"SELECT product.sku FROM {table} AS row JOIN catalog_product AS product "
            f"ON product.id = row.product_id WHERE {conditions}",
            parameters,
        )
        found = {sku for (sku,) in cursor.fetchall()}
    assert "Bitmap Index Scan on productindex_colours" in plan
    assert found == {"T1", "T2"}


def test_variant_prices_filter_and_sort(tees):
    client = APIClient()
    # T5 sorts by its cheapest variant in stock (11.00), not by its own 40.00, and says so.
    cheapest = client.get(URL, {**QUERY, "sort": "price"})
    assert skus(cheapest) == ["T5", "T1", "T2", "T3", "T4", "T6"]
    first = cheapest.json()["results"][0]
    assert (first["price"], first["price_from"]) == ("40.00", "11.00")
    assert [hit["price_from"] for hit in cheapest.json()["results"][1:]] == [
        "12.00",
        "14.00",
        "15.00",
        "16.00",
        "18.00",
    ]
    assert skus(client.get(URL, {**QUERY, "sort": "-price"}))[-1] == "T5"
    # It is in a price range where one of its variants is: the sold-out S at 8.00...
    assert skus(client.get(URL, {**QUERY, "max_price": "10"})) == ["T5"]
    # ...but not for a shopper who wants it in stock.
    assert skus(client.get(URL, {**QUERY, "max_price": "10", "in_stock": "true"})) == []
    assert skus(client.get(URL, {**QUERY, "min_price": "35"})) == ["T5"]  # the L at 40.00
    assert set(skus(client.get(URL, {**QUERY, "min_price": "13", "max_price": "15"}))) == {
        "T2",
        "T3",
    }
    # One variant must have both the option and the price: T5's M at 11.00 does, T6's M
    # (at 18.00) is too dear, and no L in stock is under 20.
    assert skus(client.get(URL, {**QUERY, "option": "size:M", "max_price": "12"})) == ["T5"]
    assert skus(client.get(URL, {**QUERY, "option": "size:L", "max_price": "20"})) == []


def test_each_price_band_finds_as_many_as_it_counts(tees):
    client = APIClient()
    bands = client.get(URL, QUERY).json()["facets"]["price_bands"]
    assert len(bands) > 1
    for band in bands:
        narrowed = {"min_price": band["min_price"], "max_price": band["max_price"] or ""}
        assert client.get(URL, {**QUERY, **narrowed}).json()["count"] == band["count"], band


def test_the_page_shows_colour_and_option_facets_that_narrow_the_search(client, tees):
    page = client.get("/search/", QUERY).content.decode()
    facets = page.split("data-facets", 1)[1].split("</nav>", 1)[0]
    link = re.search(r'href="\?([^"]+)">Blue</a> <span class="facet-count">2', facets)
    assert link and "colour=blue" in link.group(1)
    assert re.search(
        r'href="\?[^"]*option=size%3AM[^"]*">M</a> <span class="facet-count">2', facets
    )
    narrowed = client.get("/search/?" + link.group(1).replace("&amp;", "&")).content.decode()
    assert "2 products" in narrowed
    titles = re.findall(r'<span class="card-title">([^<]+)</span>', narrowed)
    assert sorted(titles) == ["Navy blue cotton tee", "Royal blue cotton tee"]
    # A product found at a variant's price shows it.
    assert '<span class="card-price">From $11.00</span>' in page
    assert '<span class="card-price">$12.00</span>' in page
    # The chosen colour is marked as the current one, and kept in the form.
    assert 'aria-current="true">Blue</a>' in narrowed
    assert '<option value="blue" selected>Blue</option>' in narrowed


def test_the_log_records_the_colour_and_option_filters(client, tees):
    client.get("/search/", {**QUERY, "colour": "white", "option": "Size:m"})
    APIClient().get(URL, {**QUERY, "colour": "blue"})
    logs = SearchLog.objects.order_by("pk")
    assert [(log.source, log.colour, log.options) for log in logs] == [
        ("page", "white", {"size": "m"}),
        ("api", "blue", {}),
    ]
