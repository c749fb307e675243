"""The HNSW indexes of the search vectors, built with the operator's settings and rebuilt
without downtime.

A rebuild builds each index anew beside the old one (`CREATE INDEX CONCURRENTLY`: rows keep
being written and searched meanwhile), then drops the old one and gives the new one its name.
Searches use the old index until it is dropped and the new one after, so there is no moment
without one. Build parameters come from settings (VITRINE_HNSW_*): `m` and `ef_construction`
trade build time and size for recall, and the build's memory and parallel workers decide
whether a large index is built in memory (minutes) or on disk (far longer).
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from pgvector.django import HnswIndex

from core.database_roles import OWNER_ALIAS, quote_identifier
from search.models import ProductIndex

logger = logging.getLogger(__name__)

# What a rebuild names the index it builds until that index replaces the old one.
NEXT_SUFFIX = "_next"


@dataclass(frozen=True)
class BuiltIndex:
    name: str
    seconds: float
    bytes: int


def vector_indexes() -> list[HnswIndex]:
    """The model's HNSW indexes, with the build parameters that settings give."""
    return [
        HnswIndex(
            fields=index.fields,
            name=index.name,
            opclasses=index.opclasses,
            condition=index.condition,
            m=settings.VITRINE_HNSW_M,
            ef_construction=settings.VITRINE_HNSW_EF_CONSTRUCTION,
        )
        for index in ProductIndex._meta.indexes
        if isinstance(index, HnswIndex)
    ]


def rebuild_vector_indexes(names: list[str] | None = None) -> list[BuiltIndex]:
    """Rebuild the named HNSW indexes (all by default) beside the old ones, then switch. Runs
    as the schema's owner, outside any transaction (a concurrent build may not run in one)."""
    connection = connections[OWNER_ALIAS]
    built = []
    with connection.cursor() as cursor:
        _set_build_parameters(cursor)
        for index in vector_indexes():
            if names is not None and index.name not in names:
                continue
            built.append(_rebuild(connection, cursor, index))
    return built


def _set_build_parameters(cursor) -> None:
    cursor.execute(
        "SELECT set_config('maintenance_work_mem', %s, false), "
        "set_config('max_parallel_maintenance_workers', %s, false)",
        [settings.VITRINE_HNSW_BUILD_MEMORY, str(settings.VITRINE_HNSW_BUILD_WORKERS)],
    )


def _rebuild(connection, cursor, index: HnswIndex) -> BuiltIndex:
    name, next_name = index.name, index.name + NEXT_SUFFIX
    # A build that failed or was killed leaves an invalid index of that name behind.
    cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote_identifier(next_name)}")
    building = index.clone()
    building.name = next_name
    with connection.schema_editor(atomic=False, collect_sql=False) as editor:
        statement = str(building.create_sql(ProductIndex, editor, concurrently=True))
    started = time.perf_counter()
    cursor.execute(statement)
    seconds = time.perf_counter() - started
    cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote_identifier(name)}")
    cursor.execute(f"ALTER INDEX {quote_identifier(next_name)} RENAME TO {quote_identifier(name)}")
    cursor.execute("SELECT pg_relation_size(%s::regclass)", [name])
    size = cursor.fetchone()[0]
    logger.info("Rebuilt %s in %.1f s (%d bytes).", name, seconds, size)
    return BuiltIndex(name, seconds, size)
