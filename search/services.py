"""Operations that change the search index, and the logs of searches and of what shoppers did
with their results."""

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from catalog.models import Category, Product
from search.filters import Filters
from search.models import ProductIndex, SearchEvent, SearchLog
from search.result_tokens import ShownResults

if TYPE_CHECKING:  # the selectors load torch: not for every process that changes the index
    from search.selectors import SearchResults

logger = logging.getLogger(__name__)

# Old logs go this many rows a statement: short locks, and a bounded WAL burst per statement.
SEARCH_LOG_DELETE_BATCH = 5000

# A category's id and its ancestors' (ProductIndex.categories), from its path of slugs; an
# empty array for no category.
CATEGORY_IDS_SQL = f"""ARRAY(
    SELECT ancestor.id FROM {Category._meta.db_table} AS ancestor
    WHERE starts_with(category.path || '/', ancestor.path || '/') ORDER BY ancestor.path
)"""


def keyword_document_sql(title: str, category: str, description: str, config: str) -> str:
    """SQL for a product's keyword document from its title, category name and description
    (SQL expressions), ranked in that order; `config` is the text search configuration's
    placeholder. Each text is read as PostgreSQL reads it, and with its hyphenated words also
    written as one, as search reads a shopper's words (search.ml.words): "T-shirt" is found by
    "tshirt", the word a query "t-shirt", "T shirt" or "tshirt" is searched by."""

    def read(text: str) -> str:
        joined = (
            "coalesce((SELECT string_agg(replace(hyphenated[1], '-', ''), ' ') "
            f"FROM regexp_matches({text}, '(\\w+(?:-\\w+)+)', 'g') AS hyphenated), '')"
        )
        return f"to_tsvector({config}, {text}) || to_tsvector({config}, {joined})"

    return (
        f"setweight({read(title)}, 'A') || setweight({read(category)}, 'B')"
        f" || setweight({read(description)}, 'C')"
    )


_KEYWORD_DOCUMENT = keyword_document_sql(
    "product.title",
    "coalesce(category.full_name, '')",
    "product.description",
    "%(config)s::regconfig",
)
# One statement per batch of products: the keyword document and the categories are rebuilt
# from the product and the row is flagged for re-embedding, inside the transaction that changed
# the product (a category's move announces every product under it).
_MARK_STALE_SQL = f"""
INSERT INTO {ProductIndex._meta.db_table}
    (product_id, keywords, categories, dirty, bulk, changed_at, error, encoder_version,
     created_at, updated_at, lease_expires_at, lease_attempts)
SELECT product.id,
       {_KEYWORD_DOCUMENT},
       {CATEGORY_IDS_SQL},
       true, %(bulk)s, clock_timestamp(), '', '', now(), now(), NULL, 0
FROM {Product._meta.db_table} AS product
LEFT JOIN {Category._meta.db_table} AS category ON category.id = product.category_id
WHERE product.id = ANY(%(ids)s)
ON CONFLICT (product_id) DO UPDATE SET
    keywords = EXCLUDED.keywords,
    categories = EXCLUDED.categories,
    dirty = true,
    bulk = EXCLUDED.bulk,
    changed_at = EXCLUDED.changed_at,
    error = '',
    updated_at = EXCLUDED.updated_at,
    lease_expires_at = NULL,
    lease_attempts = 0
"""


def mark_stale(product_ids: Sequence[int], *, bulk: bool = False) -> None:
    """Refresh these products' keyword documents and flag their vectors for re-embedding;
    `bulk` rows (an import's) are embedded after single edits (search.indexing)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_STALE_SQL,
            {"config": settings.SEARCH_TEXT_CONFIG, "ids": list(product_ids), "bulk": bulk},
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


def log_search(
    shown: ShownResults, results: "SearchResults", filters: Filters, source: SearchLog.Source
) -> None:
    """Record a search the page or the API answered: its first page only, as the later pages of
    a query are the same search paged through (they would count its impressions again). One
    INSERT; a database that refuses it costs the log row, never the search."""
    if shown.offset != 0:
        return
    try:
        with transaction.atomic():  # a savepoint: a failed INSERT leaves the request usable
            # The shopper need not wait for the row to reach the disk (a few ms a search): a
            # crash may lose the last moment's log rows, never anything else.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            SearchLog.objects.create(
                query_text=_fitted("query_text", shown.query_text),
                corrected_query=_fitted("corrected_query", results.words.corrected),
                had_photo=shown.had_photo,
                category=filters.category,
                min_price=filters.min_price,
                max_price=filters.max_price,
                in_stock=filters.in_stock,
                colour=filters.colour,
                options=dict(filters.options),
                merchant_id=filters.merchant_id,
                result_count=results.count,
                took_ms=results.took_ms,
                shown_product_ids=list(shown.product_ids),
                searcher=shown.searcher,
                source=source,
            )
    except DatabaseError:
        logger.exception("A search was answered but could not be logged")


def _fitted(field: str, text: str) -> str:
    return text[: SearchLog._meta.get_field(field).max_length]


def delete_old_search_logs() -> int:
    """Delete the search logs older than VITRINE_SEARCH_LOG_RETENTION_DAYS, a batch a statement
    (each its own transaction). Returns how many went."""
    cutoff = timezone.now() - timedelta(days=settings.VITRINE_SEARCH_LOG_RETENTION_DAYS)
    deleted = 0
    while True:
        batch = SearchLog.objects.filter(created_at__lt=cutoff).values("pk")
        count, _ = SearchLog.objects.filter(pk__in=batch[:SEARCH_LOG_DELETE_BATCH]).delete()
        deleted += count
        if count < SEARCH_LOG_DELETE_BATCH:
            return deleted
