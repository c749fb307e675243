"""Keeps the vector columns sized for the active encoder, and stored as search reads them.

A column of another size holds vectors of another encoder: they are dropped (set to NULL) and
every row is flagged for re-embedding, in the same transaction as the resize.

Storage: a row of two 384-d vectors and the photo's 1,280-d features is far over PostgreSQL's
2 KB threshold, so by default it moves the vectors out of the row (TOAST), and every vector a
search reads costs a lookup in another table: an exact search of the 48,000 listings of one
category took 418 ms against 250 ms with the vectors in the row (bench/scale.py's catalogue of
1,000,000). The vectors searched stay in the row (PLAIN); the photo's
features, read only for a few candidates, always go out of it, uncompressed (EXTERNAL: floats do
not compress). The setting applies to rows written after it: `VACUUM FULL` rewrites older ones.
"""

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.functions import Now

from search.ml.encoders import active_dims
from search.ml.encoders.dims import VectorDims
from search.models import ProductIndex
from search.vector_indexes import resize_vector_indexes

VECTOR_FIELDS = (
    "text_vector",
    "photo_features",
    "photo_text_vector",
    "next_photo_features",
    "next_photo_text_vector",
)


# PostgreSQL's attstorage codes for each column's storage.
VECTOR_STORAGE = {
    "text_vector": "p",  # PLAIN
    "photo_text_vector": "p",
    "photo_features": "e",  # EXTERNAL
    "next_photo_features": "e",
    "next_photo_text_vector": "e",
}
_STORAGE_NAMES = {"p": "PLAIN", "e": "EXTERNAL"}


def column_dimensions(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """The vector columns' current sizes, as the database has them."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT attname, atttypmod FROM pg_attribute
            WHERE attrelid = %s::regclass AND attname = ANY(%s) AND NOT attisdropped
            """,
            [ProductIndex._meta.db_table, list(VECTOR_FIELDS)],
        )
        return dict(cursor.fetchall())


def resize_vector_columns(dims: VectorDims, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Give each vector column its size under `dims`; return the columns that changed. It
    alters the table: `using` is the owner's connection, as in migrate."""
    current = column_dimensions(using)
    changes = {
        name: size
        for name in VECTOR_FIELDS
        if current.get(name) != (size := ProductIndex._meta.get_field(name).dimensions_for(dims))
    }
    if not changes:
        return []
    connection = connections[using]
    table = connection.ops.quote_name(ProductIndex._meta.db_table)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # ALTER TABLE refuses to run while deferred foreign-key checks are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, size in changes.items():
            # PostgreSQL rebuilds the column's HNSW indexes as part of the type change, but
            # as they were: resize_vector_indexes gives them the new size.
            cursor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {connection.ops.quote_name(name)} "
                f"TYPE vector({size}) USING NULL"
            )
        ProductIndex.objects.using(using).update(
            dirty=True, bulk=True, encoder_version="", next_photo_version="", changed_at=Now()
        )
        # A new type brings its default storage back.
        store_vectors_as_searched(using)
        if any(ProductIndex._meta.get_field(name).space == "text" for name in changes):
            resize_vector_indexes(dims, using)
    return list(changes)


def store_vectors_as_searched(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Give each vector column the storage of VECTOR_STORAGE; return the columns changed."""
    connection = connections[using]
    table = connection.ops.quote_name(ProductIndex._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = ANY(%s) AND NOT attisdropped",
            [ProductIndex._meta.db_table, list(VECTOR_STORAGE)],
        )
        changes = [name for name, code in cursor.fetchall() if code != VECTOR_STORAGE[name]]
        for name in changes:
            cursor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {connection.ops.quote_name(name)} "
                f"SET STORAGE {_STORAGE_NAMES[VECTOR_STORAGE[name]]}"
            )
    return changes


def resize_vectors_after_migrate(sender: AppConfig, using: str, **kwargs) -> None:
    # On the connection that migrated (the owner's): the site's own may not alter the table.
    if column_dimensions(using):
        resize_vector_columns(active_dims(), using)
        store_vectors_as_searched(using)
