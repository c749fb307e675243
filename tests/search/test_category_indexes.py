"""Categories' own HNSW indexes: which categories get them, their upkeep as the catalogue
changes, and searches within a category served by its own graph."""

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from catalog import services as catalog_services
from catalog.models import Category, Product
from search import retrieval, vector_indexes
from search.filters import Filters
from search.models import ProductIndex
from search.retrieval import SourceQuery, retrieve, search_list
from search.vector_indexes import (
    category_index_name,
    indexed_categories,
    sync_category_indexes,
)


def category_ids(*paths: str) -> list[int]:
    return [catalog_services.category_from_path(path).pk for path in paths]


def present_indexes() -> dict[str, bool]:
    """The search table's category indexes: name -> valid."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT class.relname, index.indisvalid FROM pg_index AS index "
            "JOIN pg_class AS class ON class.oid = index.indexrelid "
            "WHERE index.indrelid = 'search_productindex'::regclass AND class.relname ~ '_c[0-9]+$'"
        )
        return dict(cursor.fetchall())


def both_indexes(category: Category) -> set[str]:
    return {category_index_name(base, category.pk) for base in vector_indexes.CATEGORY_INDEXED}


@pytest.mark.django_db
def test_a_category_gets_its_own_indexes_between_an_exact_searchs_size_and_half_its_index(
    monkeypatch,
):
    """Of a catalogue of 1,000: "Home" (150) and "Toys" (250, a quarter) get their own;
    "Home > Lamps" (140) is nearly all of Home's, served by Home's; "Garden" (600) is most of
    the catalogue's; "Home > Rugs" (10) and "Garden > Tools" (40) are searched exactly;
    "Garden > Seeds" (100, a tenth) gets its own, under a parent without."""
    monkeypatch.setattr(vector_indexes, "EXACT_SEARCH_MAX_PRODUCTS", 50)
    home, lamps, rugs, garden, tools, seeds, toys = category_ids(
        "Home", "Home > Lamps", "Home > Rugs", "Garden", "Garden > Tools", "Garden > Seeds", "Toys"
    )
    listings = {
        "": 1000,
        "home": 150,
        "home/lamps": 140,
        "home/rugs": 10,
        "garden": 600,
        "garden/tools": 40,
        "garden/seeds": 100,
        "toys": 250,
    }
    assert indexed_categories(listings, present=set()) == {home, seeds, toys}
    # A category with indexes keeps them near the bounds: not rebuilt and dropped in turn.
    # Garden's own (60% of the catalogue) stay, and Seeds is then served by Garden's.
    assert indexed_categories(listings, present={garden}) == {home, seeds, toys, garden}
    shrunk = listings | {"garden/seeds": 40}
    assert indexed_categories(shrunk, present={home, seeds}) == {home, seeds, toys}
    assert indexed_categories(listings | {"garden/seeds": 20}, present={seeds}) == {home, toys}
    assert {lamps, rugs, garden, tools}.isdisjoint(indexed_categories(listings, set()))


def test_a_filtered_search_list_holds_as_many_allowed_products_as_an_unfiltered_one(settings):
    settings.VITRINE_HNSW_EF_SEARCH = 200
    assert search_list(50) == 200
    assert search_list(50, allowed_share=0.5) == 400
    assert search_list(50, allowed_share=0.05) == vector_indexes.MAX_EF_SEARCH
    assert search_list(300) == 600  # twice a deep page's candidates
    # A category's own graph answers queries far from its listings: a longer list.
    assert search_list(50, allowed_share=1.0, category_graph=True) == 600
    assert search_list(50, allowed_share=0.8, category_graph=True) == 750


@pytest.mark.django_db
def test_an_index_row_carries_its_category_and_ancestors_through_a_move(make_product):
    kurta = make_product("KURTA", category_path="Apparel > Topwear > Kurtas")
    apparel, topwear, kurtas = category_ids(
        "Apparel", "Apparel > Topwear", "Apparel > Topwear > Kurtas"
    )
    row = ProductIndex.objects.get(product=kurta)
    assert row.categories == [apparel, topwear, kurtas]
    # "Topwear" moves under a new root: every listing under it follows, in the same transaction.
    moved = Category.objects.get(pk=topwear)
    moved.parent = catalog_services.category_from_path("Clothing")
    catalog_services.save_category(moved)
    clothing = Category.objects.get(path="clothing").pk
    row.refresh_from_db()
    assert row.categories == [clothing, topwear, kurtas]
    uncategorised = make_product("LOOSE", category_path="")
    assert ProductIndex.objects.get(product=uncategorised).categories == []


@pytest.fixture
def no_category_indexes_after():
    yield
    with connection.cursor() as cursor:
        for name in present_indexes():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_a_category_search_goes_through_its_own_graph_once_synced(
    crowded_catalogue, encoder, monkeypatch, no_category_indexes_after
):
    """Before the sync, the catalogue's index scan gives up (here with a search list of 20 and
    after 30 entries, all shoes) and the page is filled by an exact search; after it, the
    category's own index returns the page itself."""
    monkeypatch.setattr(vector_indexes, "EXACT_SEARCH_MAX_PRODUCTS", 5)
    monkeypatch.setattr(retrieval, "EXACT_SEARCH_MAX_PRODUCTS", 0)  # whatever the estimate
    monkeypatch.setattr(retrieval, "EXACT_SEARCH_MAX_ROWS", -2)
    monkeypatch.setattr(retrieval, "MAX_EF_SEARCH", 12)
    monkeypatch.setattr(retrieval, "MAX_SCAN_TUPLES", 1)
    with connection.cursor() as cursor:  # the planner is told to use an index, as at size
        cursor.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
        cursor.execute("SET enable_sort = off")
    apparel = Category.objects.get(path="apparel")
    query = SourceQuery(text_vector=encoder.encode_texts(["black shoes"])[0])
    dims = (encoder.dims.text, encoder.dims.image)

    def kurtas_found() -> tuple[int, bool]:
        found = retrieve(query, Filters(category=apparel), encoder.version, dims, per_source=12)
        skus = set(Product.objects.filter(pk__in=found.product_ids).values_list("sku", flat=True))
        assert all(sku.startswith("KURTA-") for sku in skus)
        return len(found), found.searched_exactly

    assert kurtas_found() == (12, True)

    changes = sync_category_indexes()

    # Apparel (15 of 135, a ninth) gets its own; Topwear and Kurtas are all of Apparel's, and
    # Footwear most of the catalogue.
    assert {index.name for index in changes.built} == both_indexes(apparel)
    assert present_indexes() == dict.fromkeys(both_indexes(apparel), True)
    assert kurtas_found() == (12, False)
    # A second sync finds nothing to do.
    assert sync_category_indexes().built == []


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_the_sync_drops_a_shrunk_categorys_indexes_and_a_killed_build(
    crowded_catalogue, monkeypatch, no_category_indexes_after, capsys
):
    monkeypatch.setattr(vector_indexes, "EXACT_SEARCH_MAX_PRODUCTS", 5)
    apparel = Category.objects.get(path="apparel")
    footwear = Category.objects.get(path="footwear")
    sync_category_indexes()
    # A build killed half-way leaves an invalid index; the rebuild command's sync replaces it.
    killed = category_index_name("productindex_text_hnsw", footwear.pk)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE INDEX "{killed}" ON search_productindex (product_id)')
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass", [killed]
        )
    # Reading which indexes the command takes changes nothing: the sync drops the invalid one.
    assert killed not in vector_indexes.known_vector_index_names()
    assert present_indexes()[killed] is False
    # Most kurtas leave: Apparel's 3 are searched exactly, its indexes go.
    Product.objects.filter(sku__in=[f"KURTA-{n}" for n in range(12)]).delete()

    call_command("rebuild_vector_indexes")

    assert present_indexes() == {}
    printed = capsys.readouterr().out
    assert all(f"{name}: dropped" in printed for name in both_indexes(apparel))


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_a_rebuild_rebuilds_the_category_indexes_with_the_settings(
    crowded_catalogue, settings, monkeypatch, no_category_indexes_after
):
    monkeypatch.setattr(vector_indexes, "EXACT_SEARCH_MAX_PRODUCTS", 5)
    apparel = Category.objects.get(path="apparel")
    sync_category_indexes()
    settings.VITRINE_HNSW_M = 10
    name = category_index_name("productindex_photo_hnsw", apparel.pk)

    call_command("rebuild_vector_indexes", name, verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [name])
        assert "m=10" in cursor.fetchone()[0]
    assert present_indexes() == dict.fromkeys(both_indexes(apparel), True)


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_one_sync_at_a_time(crowded_catalogue, monkeypatch, no_category_indexes_after):
    """A sync that finds another under way (the hourly task and an operator's command) changes
    nothing; once that one is done, the next sync does the work."""
    monkeypatch.setattr(vector_indexes, "EXACT_SEARCH_MAX_PRODUCTS", 5)
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [vector_indexes._SYNC_LOCK])
        assert sync_category_indexes().built == []
        assert present_indexes() == {}
        # Released here, not by closing: a closed connection's server process lets go later.
        other.execute("SELECT pg_advisory_unlock(%s)", [vector_indexes._SYNC_LOCK])
    apparel = Category.objects.get(path="apparel")
    assert {index.name for index in sync_category_indexes().built} == both_indexes(apparel)
