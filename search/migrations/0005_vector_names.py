# The two photo vectors get names that say what each is: the photo's own features, and the
# photo mapped into the text space. PostgreSQL's indexes follow a renamed column, so the HNSW
# indexes over the mapped photo are renamed in the migration state only, not rebuilt.

import pgvector.django.indexes
from django.db import migrations, models

PHOTO_TEXT_INDEXES = [
    pgvector.django.indexes.HnswIndex(
        fields=["photo_text_vector"],
        name="productindex_photo_hnsw",
        opclasses=["vector_cosine_ops"],
    ),
    pgvector.django.indexes.HnswIndex(
        condition=models.Q(("text_vector__isnull", True)),
        fields=["photo_text_vector"],
        name="productindex_photo_only_hnsw",
        opclasses=["vector_cosine_ops"],
    ),
]


def renames() -> list[migrations.RenameField]:
    return [
        migrations.RenameField(
            model_name="productindex", old_name="image_vector", new_name="photo_features"
        ),
        migrations.RenameField(
            model_name="productindex", old_name="photo_vector", new_name="photo_text_vector"
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_drop_fused_vector"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=renames(),
            state_operations=[
                migrations.RemoveIndex(model_name="productindex", name=index.name)
                for index in PHOTO_TEXT_INDEXES
            ]
            + renames()
            + [
                migrations.AddIndex(model_name="productindex", index=index)
                for index in PHOTO_TEXT_INDEXES
            ],
        ),
    ]
