# Every indexed product's keyword document rebuilt as search.services.keyword_document_sql now
# writes it: each hyphenated word also written as one ("T-shirt" found by "tshirt").

from django.conf import settings
from django.db import migrations


def _read(text: str) -> str:
    joined = (
        "coalesce((SELECT string_agg(replace(hyphenated[1], '-', ''), ' ') "
        f"FROM regexp_matches({text}, '(\\w+(?:-\\w+)+)', 'g') AS hyphenated), '')"
    )
    return f"to_tsvector(%(config)s::regconfig, {text}) || to_tsvector(%(config)s::regconfig, {joined})"


REBUILD_KEYWORDS = f"""
UPDATE search_productindex AS row SET keywords =
    setweight({_read("product.title")}, 'A')
    || setweight({_read("coalesce(category.full_name, '')")}, 'B')
    || setweight({_read("product.description")}, 'C')
FROM catalog_product AS product
LEFT JOIN catalog_category AS category ON category.id = product.category_id
WHERE product.id = row.product_id
"""


def rebuild_keywords(apps, schema_editor):
    schema_editor.execute(REBUILD_KEYWORDS, {"config": settings.SEARCH_TEXT_CONFIG})


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0014_rows_keep_their_small_columns'),
    ]

    operations = [
        migrations.RunPython(rebuild_keywords, migrations.RunPython.noop),
    ]
