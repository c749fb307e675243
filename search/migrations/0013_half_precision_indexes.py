"""The HNSW indexes hold the vectors in half precision (search.indexed_vector).

Each index there is (the model's three and the categories' copies) is built anew beside the old
one, concurrently, then takes its place, as `manage.py rebuild_vector_indexes` does: searches
go on meanwhile. On a large catalogue this takes as long as building the indexes (minutes a
million listings).
"""

import re

import django.contrib.postgres.indexes
import pgvector.django.indexes
from django.db import migrations, models

import search.indexed_vector

TABLE = "search_productindex"
NEXT_SUFFIX = "_next"
# (the column's operator class, the index's): from full to half precision.
FULL_INDEX = re.compile(r"USING hnsw \((\w+) vector_cosine_ops\)")
HALF_INDEX = re.compile(r"USING hnsw \(\(\((\w+)\)::halfvec\(\d+\)\) halfvec_cosine_ops\)")


def _rebuild_hnsw_indexes(schema_editor, to_half: bool) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, atttypmod FROM pg_attribute WHERE attrelid = %s::regclass",
            [TABLE],
        )
        dimensions = dict(cursor.fetchall())
        cursor.execute(
            "SELECT class.relname, pg_get_indexdef(class.oid) FROM pg_index AS index "
            "JOIN pg_class AS class ON class.oid = index.indexrelid "
            "JOIN pg_am AS method ON method.oid = class.relam "
            "WHERE index.indrelid = %s::regclass AND method.amname = 'hnsw'",
            [TABLE],
        )
        for name, definition in cursor.fetchall():
            if to_half:
                expression = FULL_INDEX.sub(
                    lambda match: (
                        f"USING hnsw ((({match[1]})::halfvec({dimensions[match[1]]})) "
                        "halfvec_cosine_ops)"
                    ),
                    definition,
                )
            else:
                expression = HALF_INDEX.sub(r"USING hnsw (\1 vector_cosine_ops)", definition)
            if expression == definition:
                continue
            quoted, next_name = f'"{name}"', f'"{name}{NEXT_SUFFIX}"'
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {next_name}")
            cursor.execute(
                expression.replace(
                    f"CREATE INDEX {name} ON", f"CREATE INDEX CONCURRENTLY {next_name} ON", 1
                )
            )
            cursor.execute(f"DROP INDEX CONCURRENTLY {quoted}")
            cursor.execute(f"ALTER INDEX {next_name} RENAME TO {quoted}")


def to_half_precision(apps, schema_editor) -> None:
    _rebuild_hnsw_indexes(schema_editor, to_half=True)


def to_full_precision(apps, schema_editor) -> None:
    _rebuild_hnsw_indexes(schema_editor, to_half=False)


def _hnsw(column: str, name: str, **options) -> pgvector.django.indexes.HnswIndex:
    return pgvector.django.indexes.HnswIndex(
        django.contrib.postgres.indexes.OpClass(
            search.indexed_vector.IndexedVector(column, space="text"), name="halfvec_cosine_ops"
        ),
        name=name,
        **options,
    )


class Migration(migrations.Migration):
    atomic = False  # the indexes are built concurrently

    dependencies = [
        ("catalog", "0004_variant"),
        ("search", "0012_category_ids"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="productindex", name="productindex_text_hnsw"),
                migrations.RemoveIndex(model_name="productindex", name="productindex_photo_hnsw"),
                migrations.RemoveIndex(
                    model_name="productindex", name="productindex_photo_only_hnsw"
                ),
                migrations.AddIndex(
                    model_name="productindex",
                    index=_hnsw("text_vector", "productindex_text_hnsw"),
                ),
                migrations.AddIndex(
                    model_name="productindex",
                    index=_hnsw("photo_text_vector", "productindex_photo_hnsw"),
                ),
                migrations.AddIndex(
                    model_name="productindex",
                    index=_hnsw(
                        "photo_text_vector",
                        "productindex_photo_only_hnsw",
                        condition=models.Q(("text_vector__isnull", True)),
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(to_half_precision, to_full_precision)],
        ),
    ]
