"""An index row keeps its small columns (keywords, categories, colours, versions) in the row.

A row holds two text-space vectors inline (search.schema.VECTOR_STORAGE: the index scans and
exact searches read them for every listing they compare), about 3 KB. PostgreSQL compresses and
moves a row's values to the TOAST table until the row is under `toast_tuple_target` (2 KB by
default): with 3 KB that cannot move, it moved every other value it could, so each listing's
keyword document, category ids, colours and encoder version lay apart, one TOAST lookup each,
for every match a keyword search ranks and every row a filter or the version check reads. With
the target at a page, only the photo's features (EXTERNAL, 5 KB) leave the row.

Rows written before keep each value where it lies until that value is written anew (a
product's keywords when it is next saved: an UPDATE keeps an unchanged value's TOAST pointer);
`VACUUM FULL search_productindex` rewrites them all at once, holding the table meanwhile.
"""

from django.db import migrations

TABLE = "search_productindex"
WHOLE_PAGE = 8160  # PostgreSQL's largest toast_tuple_target


class Migration(migrations.Migration):
    dependencies = [("search", "0013_half_precision_indexes")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {TABLE} SET (toast_tuple_target = {WHOLE_PAGE})",
            reverse_sql=f"ALTER TABLE {TABLE} RESET (toast_tuple_target)",
        )
    ]
