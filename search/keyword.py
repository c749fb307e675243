"""Keyword search: PostgreSQL full-text search over the index rows' keyword documents."""

import numpy as np
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet

from catalog.models import Product
from search.models import ProductIndex

MAX_QUERY_LENGTH = 200


def keyword_search(query: str) -> QuerySet[Product]:
    """Active products matching the query, best first.

    The query is read as a web search query (quotes, OR, -word), which accepts any input
    without a syntax error; it is cut to MAX_QUERY_LENGTH characters.
    """
    terms = SearchQuery(
        query[:MAX_QUERY_LENGTH], search_type="websearch", config=settings.SEARCH_TEXT_CONFIG
    )
    return (
        Product.objects.filter(status=Product.Status.ACTIVE, search_index__keywords=terms)
        .annotate(rank=SearchRank(F("search_index__keywords"), terms, cover_density=True))
        .select_related("category")
        .prefetch_related("images")
        .order_by("-rank", "-id")
    )


_PAIR_RANKS_SQL = f"""
WITH queries AS (
    SELECT number, to_tsquery(%(config)s::regconfig, text) AS terms
    FROM unnest(%(queries)s::text[]) WITH ORDINALITY AS query(text, number)
), pairs AS (
    SELECT * FROM unnest(%(numbers)s::bigint[], %(products)s::bigint[], %(slots)s::bigint[])
        AS pair(number, product_id, slot)
)
SELECT pairs.number, pairs.slot, ts_rank_cd(row.keywords, queries.terms)
FROM pairs
JOIN queries USING (number)
JOIN {ProductIndex._meta.db_table} AS row USING (product_id)
WHERE row.keywords @@ queries.terms
"""


def keyword_ranks(queries: list[str], product_ids: np.ndarray) -> np.ndarray:
    """(Q, C) full-text ranks of each query's C products (-1 pads), 0 where they do not match,
    in one round trip: the same ts_rank_cd the search service reads. A query is to_tsquery
    text (search.query_words.QueryWords.tsquery)."""
    ranks = np.zeros(product_ids.shape, dtype=np.float32)
    numbers, slots = np.nonzero(product_ids >= 0)
    with connection.cursor() as cursor:
        cursor.execute(
            _PAIR_RANKS_SQL,
            {
                "config": settings.SEARCH_TEXT_CONFIG,
                "queries": queries,
                "numbers": (numbers + 1).tolist(),
                "products": product_ids[numbers, slots].tolist(),
                "slots": slots.tolist(),
            },
        )
        for number, slot, rank in cursor.fetchall():
            ranks[number - 1, slot] = rank
    return ranks
