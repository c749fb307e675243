"""Searches read from a streaming replica where one is configured (core.replicas). The test
database's second alias stands for the replica: a connection of its own, which does not see
what the primary's open transaction wrote, so what a search finds shows where it read."""

import pytest
from django.db import transaction

from catalog.models import Product
from core.replicas import read_alias, replica_reads
from search.indexing import embed_stale
from search.selectors import SearchQuery, search

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica_1"])


def found(text: str) -> tuple[set[str], int]:
    """The products a search shows, and how many it counted (the candidates it retrieved)."""
    results = search(SearchQuery(text=text))
    return {hit.product.sku for hit in results.shown}, results.count


def test_a_search_reads_from_the_replica_and_writes_stay_on_the_primary(
    settings, make_product, encoder
):
    make_product("KETTLE-1", title="Enamel kettle")
    embed_stale(encoder)
    with transaction.atomic():  # uncommitted: only the primary's own session sees it
        make_product("KETTLE-2", title="Copper kettle")
        embed_stale(encoder)
        settings.DATABASE_REPLICAS = ["replica_1"]
        assert found("kettle") == ({"KETTLE-1"}, 1)
        with replica_reads():  # the ORM's reads too (core.replicas.ReplicaRouter)
            assert Product.objects.filter(sku__startswith="KETTLE").count() == 1
        settings.DATABASE_REPLICAS = []
        assert found("kettle") == ({"KETTLE-1", "KETTLE-2"}, 2)


def test_reads_go_to_the_replica_only_inside_replica_reads(settings):
    settings.DATABASE_REPLICAS = ["replica_1"]
    with replica_reads() as alias:
        assert alias == read_alias() == "replica_1"
    assert read_alias() == "default"
    settings.DATABASE_REPLICAS = []
    with replica_reads() as alias:
        assert alias == "default"
