"""Rebuilding the HNSW indexes with the operator's build settings, beside the old ones."""

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, transaction

from search import retrieval
from search.candidate_statement import candidates_statement
from search.db import binary_vector_cursor
from search.filters import Filters, filter_conditions, variant_match
from search.indexed_vector import IndexedVector
from search.indexing import embed_stale
from search.models import ProductIndex
from search.retrieval import SourceQuery, retrieve
from search.vector_indexes import NEXT_SUFFIX, vector_indexes

HNSW_NAMES = {"productindex_text_hnsw", "productindex_photo_hnsw", "productindex_photo_only_hnsw"}


def index_state() -> dict[str, tuple[list[str] | None, bool]]:
    """Each index of the search table: its build options and whether it is valid."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT class.relname, class.reloptions, pg_index.indisvalid
            FROM pg_index JOIN pg_class AS class ON class.oid = pg_index.indexrelid
            WHERE pg_index.indrelid = 'search_productindex'::regclass
            """
        )
        return {name: (options, valid) for name, options, valid in cursor.fetchall()}


@pytest.fixture
def default_indexes_after():
    """The rebuilt indexes outlive the test's rows: the next tests get the default ones."""
    yield
    call_command("rebuild_vector_indexes", verbosity=0)


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_a_rebuild_builds_every_vector_index_with_the_settings_and_search_goes_on(
    settings, make_product, encoder, default_indexes_after, capsys
):
    make_product("SHOE", title="Black leather shoes", photos=[])
    make_product("LAMP", title="Brass desk lamp", photos=[])
    embed_stale(encoder)
    # A rebuild that was killed left its half-built index behind under the next one's name.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX productindex_text_hnsw{NEXT_SUFFIX} ON search_productindex (product_id)"
        )
    settings.VITRINE_HNSW_M, settings.VITRINE_HNSW_EF_CONSTRUCTION = 8, 24

    call_command("rebuild_vector_indexes")

    printed = capsys.readouterr().out
    state = index_state()
    assert {name for name in HNSW_NAMES if name in printed} == HNSW_NAMES
    for name in HNSW_NAMES:
        options, valid = state[name]
        assert valid and set(options) == {"m=8", "ef_construction=24"}, (name, options)
    assert not [name for name in state if name.endswith(NEXT_SUFFIX)]
    # Searches go through the new index (the planner is told to prefer it, as at size).
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
    dims = encoder.dims
    found = retrieve(
        SourceQuery(text_vector=encoder.encode_texts(["black shoes"])[0]),
        Filters(),
        encoder.version,
        (dims.text, dims.image),
    )
    assert len(found) == 2


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_one_index_can_be_rebuilt_alone(settings, default_indexes_after):
    photo_options = index_state()["productindex_photo_hnsw"][0]
    settings.VITRINE_HNSW_M = 12
    call_command("rebuild_vector_indexes", "productindex_text_hnsw", verbosity=0)
    state = index_state()
    assert "m=12" in state["productindex_text_hnsw"][0]
    assert state["productindex_photo_hnsw"][0] == photo_options
    assert {index.name for index in vector_indexes()} == HNSW_NAMES


def hnsw_definitions() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'search_productindex' AND indexdef LIKE '%%USING hnsw%%'"
        )
        return dict(cursor.fetchall())


def vector_sources_plan(encoder, dimensions: int) -> str:
    """The plan of a search's text, photo and photo-only sources through their indexes, the
    planner told to prefer indexes as it would at size."""
    query = encoder.encode_texts(["black shoes"])[0][:dimensions]
    conditions, parameters = filter_conditions(Filters(), encoder.version)
    parameters |= {
        "text_vector": query,
        "photo_text_vector": query,
        "limit": 10,
        "keywords": "",
        "ranked_keywords": "",
        "image_vector": None,
        "photo_version": "",
        "colourless_photos": False,
        "config": django_settings.SEARCH_TEXT_CONFIG,
    }
    statement = candidates_statement(
        ["text", "photo", "photo_only"],
        conditions,
        variant_match(Filters(), "found.price"),
        dimensions,
        exact=False,
        photo_query=False,
    )
    with transaction.atomic(), binary_vector_cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {statement}", parameters)
        return "\n".join(line for (line,) in cursor.fetchall())


@pytest.mark.django_db
def test_each_vector_source_searches_through_its_half_precision_index(encoder):
    """The indexes hold the vectors in half precision, and a search orders by that same
    expression: else the planner could not use them, and every search would read every row."""
    definitions = hnsw_definitions()
    assert set(definitions) == HNSW_NAMES
    for name, definition in definitions.items():
        assert f"::halfvec({encoder.dims.text})) halfvec_cosine_ops" in definition, name
    plan = vector_sources_plan(encoder, encoder.dims.text)
    for name in HNSW_NAMES:
        assert f"Index Scan using {name} " in plan, (name, plan)


@pytest.mark.django_db
def test_what_the_index_finds_is_ranked_by_the_full_vectors(make_product, encoder, monkeypatch):
    """Half precision can swap two products near the query: here B is farther than A, but its
    vector rounded to halves is nearer (components either side of a rounding step). The index
    walks in the halves' order; the ranking is the full vectors'."""
    step = 2.0**-14  # the half-precision spacing between 1/16 and 1/8
    low, high = 1 / 16, 1 / 16 + step
    middle = low + step / 2
    nearer = {1: middle + step / 10, 2: middle + step / 10}  # both round up, to `high`
    farther = {1: middle - step / 10, 2: high + 0.4 * step}  # round to `low` and `high`
    products = {}
    for sku, components in (("NEAR", nearer), ("FAR", farther)):
        products[sku] = make_product(sku, title=f"Listing {sku}", photos=[])
        vector = np.zeros(encoder.dims.text, dtype=np.float32)
        vector[0] = 1.0
        for index, value in components.items():
            vector[index] = value
        products[sku].vector = vector
    embed_stale(encoder)
    for product in products.values():
        ProductIndex.objects.filter(product=product).update(text_vector=product.vector)
    assert np.linalg.norm(products["FAR"].vector[1:3]) > np.linalg.norm(
        products["NEAR"].vector[1:3]
    )
    monkeypatch.setattr(retrieval, "EXACT_SEARCH_MAX_ROWS", -2)  # through the index
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_sort = off")
    query = np.zeros(encoder.dims.text, dtype=np.float32)
    query[0] = 1.0
    found = retrieve(
        SourceQuery(text_vector=query),
        Filters(),
        encoder.version,
        (encoder.dims.text, encoder.dims.image),
    )
    assert not found.searched_exactly
    ranked = found.product_ids[np.argsort(found.source_ranks["text"])]
    assert list(ranked) == [products["NEAR"].pk, products["FAR"].pk]
    # In half precision the order is the other way: what the index walks by.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT product_id, {IndexedVector.sql('text_vector', encoder.dims.text)} <=> "
            f"{IndexedVector.sql('%s::vector', encoder.dims.text)} FROM search_productindex",
            [str(query.tolist())],
        )
        half_distances = dict(cursor.fetchall())
    assert half_distances[products["FAR"].pk] < half_distances[products["NEAR"].pk]
