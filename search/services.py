"""Operations that change the search index."""

from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from catalog.models import Category, Product
from search.models import ProductIndex, SearchEvent
from search.result_tokens import ShownResults

# One statement per batch of products: the keyword document is rebuilt from the product and the
# row is flagged for re-embedding, inside the transaction that changed the product.
_MARK_STALE_SQL = f"""
INSERT INTO {ProductIndex._meta.db_table}
    (product_id, keywords, dirty, changed_at, error, encoder_version, created_at, updated_at,
     lease_expires_at, lease_attempts)
SELECT product.id,
       setweight(to_tsvector(%(config)s::regconfig, product.title), 'A')
       || setweight(to_tsvector(%(config)s::regconfig, coalesce(category.full_name, '')), 'B')
       || setweight(to_tsvector(%(config)s::regconfig, product.description), 'C'),
       true, clock_timestamp(), '', '', now(), now(), NULL, 0
FROM {Product._meta.db_table} AS product
LEFT JOIN {Category._meta.db_table} AS category ON category.id = product.category_id
WHERE product.id = ANY(%(ids)s)
ON CONFLICT (product_id) DO UPDATE SET
    keywords = EXCLUDED.keywords,
    dirty = true,
    changed_at = EXCLUDED.changed_at,
    error = '',
    updated_at = EXCLUDED.updated_at,
    lease_expires_at = NULL,
    lease_attempts = 0
"""


def mark_stale(product_ids: Sequence[int]) -> None:
    """Refresh these products' keyword documents and flag their vectors for re-embedding."""
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_STALE_SQL, {"config": settings.SEARCH_TEXT_CONFIG, "ids": list(product_ids)}
        )


def log_search_event(shown: ShownResults, product: Product, action: str) -> bool:
    """Record what a shopper did with a result that a search showed them (the match head trains
    on these). Counts once per searcher, result and action: returns whether this one counted."""
    try:
        with transaction.atomic():
            SearchEvent.objects.create(
                product=product,
                action=action,
                position=shown.position(product.pk),
                query_text=shown.query_text,
                had_photo=shown.had_photo,
                searcher=shown.searcher,
            )
    except IntegrityError:  # this searcher's event for this result is in already
        return False
    return True
