"""Keeps the vector columns sized for the active encoder.

A column of another size holds vectors of another encoder: they are dropped (set to NULL) and
every row is flagged for re-embedding, in the same transaction as the resize.
"""

from django.apps import AppConfig
from django.db import connection, transaction
from django.db.models.functions import Now

from search.ml.encoders import active_dims
from search.ml.encoders.dims import VectorDims
from search.models import ProductIndex

VECTOR_FIELDS = ("text_vector", "photo_features", "photo_text_vector")


def column_dimensions() -> dict[str, int]:
    """The vector columns' current sizes, as the database has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT attname, atttypmod FROM pg_attribute
            WHERE attrelid = %s::regclass AND attname = ANY(%s) AND NOT attisdropped
            """,
            [ProductIndex._meta.db_table, list(VECTOR_FIELDS)],
        )
        return dict(cursor.fetchall())


def resize_vector_columns(dims: VectorDims) -> list[str]:
    """Give each vector column its size under `dims`; return the columns that changed."""
    current = column_dimensions()
    changes = {
        name: size
        for name in VECTOR_FIELDS
        if current.get(name) != (size := ProductIndex._meta.get_field(name).dimensions_for(dims))
    }
    if not changes:
        return []
    table = connection.ops.quote_name(ProductIndex._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        # ALTER TABLE refuses to run while deferred foreign-key checks are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, size in changes.items():
            # PostgreSQL rebuilds the column's HNSW index as part of the type change.
            cursor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {connection.ops.quote_name(name)} "
                f"TYPE vector({size}) USING NULL"
            )
        ProductIndex.objects.update(dirty=True, encoder_version="", changed_at=Now())
    return list(changes)


def resize_vectors_after_migrate(sender: AppConfig, **kwargs) -> None:
    if kwargs.get("using", "default") == connection.alias and column_dimensions():
        resize_vector_columns(active_dims())
