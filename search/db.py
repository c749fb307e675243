"""Raw database access where the ORM is too slow: vectors in binary, many rows per round trip."""

import weakref

import numpy as np
import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from pgvector.psycopg import register_vector
from psycopg.adapt import Loader
from psycopg.pq import Format

from search.models import PHOTO_ONLY_INDEX, ProductIndex

_vector_connections: "weakref.WeakSet[psycopg.Connection]" = weakref.WeakSet()


def binary_vector_cursor(alias: str = DEFAULT_DB_ALIAS) -> psycopg.Cursor:
    """A cursor on Django's connection `alias` that sends and reads vectors in binary (numpy
    float32 arrays both ways), and runs executemany() in one pipelined round trip: far cheaper
    than the ORM's vectors as text."""
    database = connections[alias]
    database.ensure_connection()
    raw = database.connection
    if raw not in _vector_connections:
        register_vector(raw)
        # Binary loaders serve binary cursors only: Django's own (text) cursors are untouched.
        raw.adapters.register_loader(raw.adapters.types["vector"].oid, _FloatArrayLoader)
        _vector_connections.add(raw)
    cursor = psycopg.Cursor(raw)
    cursor.format = Format.BINARY
    return cursor


class _FloatArrayLoader(Loader):
    """A vector read straight into a float32 array. pgvector's own loader builds a Vector
    object, then a list or array, then numpy: most of a search's Python time went to that, for
    the few hundred vectors of its candidates."""

    format = Format.BINARY

    def load(self, data) -> np.ndarray:
        # The binary form: dimensions and a reserved field (two uint16), then big-endian floats.
        return np.frombuffer(data, dtype=">f4", offset=4).astype(np.float32)


def estimated_index_rows(cursor) -> float:
    """The search index table's row count as PostgreSQL last estimated it (-1: never): a
    catalogue's size without counting it."""
    return estimated_rows(cursor)[0]


def estimated_rows(cursor) -> tuple[float, float]:
    """The search index table's rows and those of them that no words describe, as PostgreSQL
    last estimated them (-1: never), in one round trip: counted by neither."""
    cursor.execute(
        "SELECT (SELECT reltuples FROM pg_class WHERE oid = %s::regclass), "
        "(SELECT reltuples FROM pg_class WHERE oid = %s::regclass)",
        [ProductIndex._meta.db_table, PHOTO_ONLY_INDEX],
    )
    return cursor.fetchone()


def vacuum_search_index() -> None:
    """Clear out the index entries of vectors just replaced in bulk (a re-mapping, a
    re-embedding): until vacuumed, HNSW scans spend their candidates on those dead entries and
    search finds fewer live products. VACUUM cannot run inside a transaction: there only the
    planner's statistics are refreshed, and the dead entries are left to autovacuum."""
    table = ProductIndex._meta.db_table
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
