"""Raw database access where the ORM is too slow: vectors in binary, many rows per round trip."""

import weakref

import numpy as np
import psycopg
from django.db import connection
from pgvector import Vector
from pgvector.psycopg import register_vector

from search.models import ProductIndex

_vector_connections: "weakref.WeakSet[psycopg.Connection]" = weakref.WeakSet()


def binary_vector_cursor() -> psycopg.Cursor:
    """A cursor on Django's connection that sends and reads vectors in binary (numpy arrays
    in, pgvector Vectors out), and runs executemany() in one pipelined round trip: far cheaper
    than the ORM's vectors as text."""
    connection.ensure_connection()
    raw = connection.connection
    if raw not in _vector_connections:
        register_vector(raw)
        _vector_connections.add(raw)
    cursor = psycopg.Cursor(raw)
    cursor.format = psycopg.pq.Format.BINARY
    return cursor


def as_array(value: Vector | None) -> np.ndarray | None:
    """A vector column's value as a float32 array (None stays None)."""
    return None if value is None else value.to_numpy().astype(np.float32, copy=False)


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
