"""Keyword search: PostgreSQL full-text search over the index rows' keyword documents."""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet

from catalog.models import Product

MAX_QUERY_LENGTH = 200


def keyword_search(query: str) -> QuerySet[Product]:
    """Active listings matching the query, best first.

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
