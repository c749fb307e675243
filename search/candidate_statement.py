"""The one SQL statement that brings a query's candidates: each source's best matches among
the products the filters allow (search.filters), each product once with the sources that found
it, its vectors, its keyword rank and its catalogue facts."""

from catalog.models import Category, Product
from search.filters import VARIANTS_OF
from search.indexed_vector import IndexedVector
from search.ml.photo_feedback import FEEDBACK_RESULTS
from search.models import ProductIndex

# The keyword source ranks at most this many of a query's matches (those that come first in the
# table), and searches only words that can match no more (search.selectors): ranking reads each
# match's keyword document and product, about 13 us a match at 1,000,000 listings, and words
# that thousands of listings share say little that the vector sources do not, while words that
# pick out a few listings (a brand, a model) stay within it.
KEYWORD_MATCHES_RANKED = 1_000

PRODUCT_TABLE = Product._meta.db_table
INDEX_TABLE = ProductIndex._meta.db_table
CATEGORY_TABLE = Category._meta.db_table
# What a source sends of each product it finds, beside its id, its name and the product's place.
_FOUND = (
    "product.title, product.category_id, product.price, product.currency, "
    "product.stock > 0 AS in_stock, product.created_at"
)
_FOUND_NAMES = "title, category_id, price, currency, in_stock, created_at"  # as they are sent


def candidates_statement(
    sources: list[str],
    conditions: str,
    variant_match: str,
    dimensions: int,
    exact: bool,
    photo_query: bool,
) -> str:
    """The statement; `dimensions` is the size of the text space's vectors, which the vector
    sources search."""
    branches = {
        name: f"(SELECT row.product_id, '{name}' AS source, {distance} AS position, {_FOUND} "
        f"FROM {INDEX_TABLE} AS row JOIN {PRODUCT_TABLE} AS product ON product.id = row.product_id "
        f"WHERE {conditions} AND {match} ORDER BY {order} LIMIT %(limit)s)"
        for name in sources
        if name != "keywords"
        for match, (order, distance) in [_source_order(name, exact, dimensions)]
    }
    if "keywords" in sources:
        # Ranked as they were matched: each match's row is read once.
        branches["keywords"] = (
            f"(SELECT product_id, 'keywords' AS source, position, {_FOUND_NAMES} "
            "FROM keyword_matches ORDER BY position LIMIT %(limit)s)"
        )
    like_results = branches.pop("like_results", None)
    found = "found"
    feedback = ""
    if like_results is not None:
        # The photos of the text source's first results (those with a photo), averaged: what
        # the like_results source orders products without words by.
        feedback = (
            ", centre AS MATERIALIZED (SELECT avg(row.photo_text_vector) AS vector "
            "FROM (SELECT product_id FROM found WHERE source = 'text' "
            f"ORDER BY position LIMIT {FEEDBACK_RESULTS}) AS seed "
            f"JOIN {INDEX_TABLE} AS row USING (product_id)), "
            f"like_results AS MATERIALIZED {like_results}"
        )
        found = "(SELECT * FROM found UNION ALL SELECT * FROM like_results)"
    # Each product once, with the sources that found it and its place in each: one that
    # several sources find travels once with its vectors.
    found_once = (
        "(SELECT product_id, array_agg(source) AS sources, array_agg(position) AS positions, "
        f"{_FOUND_NAMES} FROM {found} AS found GROUP BY product_id, {_FOUND_NAMES}) AS found"
    )
    # Only the photos of products without words travel (the match head reads what they are),
    # and, for words that name colours, those of products whose listings state none (their
    # photos show which they are in); a photo query compares every candidate's photo and
    # colours with its own.
    # Photos are compared only with photos of the query's photo encoder (during a move to a new
    # one, a row changed at the last moment may have another: search.ml.photo_versions).
    same_encoder = "row.photo_version = %(photo_version)s"
    photo_read = (
        "(row.text_vector IS NULL OR (%(colourless_photos)s AND cardinality(row.colours) = 0))"
    )
    photo_columns = (f"CASE WHEN {photo_read} AND {same_encoder} THEN row.photo_features END, ") + (
        f"row.colour_vector, CASE WHEN {same_encoder} "
        "THEN 1 - (row.photo_features <=> %(image_vector)s) END"
        if photo_query
        else f"CASE WHEN {photo_read} THEN row.colour_vector END, NULL::float8"
    )
    keyword_matches = (
        ", keyword_matches AS MATERIALIZED (SELECT row.product_id, "
        f"-ts_rank_cd(row.keywords, (SELECT terms FROM query)) AS position, {_FOUND} "
        f"FROM {INDEX_TABLE} AS row JOIN {PRODUCT_TABLE} AS product ON product.id = row.product_id "
        f"WHERE {conditions} AND row.keywords @@ (SELECT terms FROM query) "
        f"LIMIT {KEYWORD_MATCHES_RANKED})"
        if "keywords" in sources
        else ""
    )
    # A product with variants is priced by those the filters allow: the prices a shopper can
    # pay for what they asked, and the lowest of them in stock (else the lowest), for sorting.
    unit_price = "coalesce(variant.price, found.price)"
    # `found` is materialised: the sources run once, whatever plan the join gets (on a table
    # whose statistics say it is tiny, PostgreSQL would otherwise re-run them for every row).
    # It carries the product's title from the sources' own join: joined again here, the
    # planner would hash the whole product table for a few hundred candidates.
    return f"""
        WITH query AS (
            SELECT to_tsquery(%(config)s::regconfig, %(keywords)s) AS terms,
                   to_tsquery(%(config)s::regconfig, %(ranked_keywords)s) AS ranked
        ){keyword_matches}, found AS MATERIALIZED ({" UNION ALL ".join(branches.values())})
        {feedback}
        SELECT found.product_id, found.sources, found.positions, row.text_vector,
               row.photo_text_vector, {photo_columns},
               ts_rank_cd(row.keywords, (SELECT ranked FROM query)),
               found.title, coalesce(category.full_name, ''), found.category_id,
               coalesce(variants.price, found.price), variants.prices, found.currency,
               found.in_stock, found.created_at, row.colours, variants.options
        FROM {found_once} JOIN {INDEX_TABLE} AS row USING (product_id)
        LEFT JOIN {CATEGORY_TABLE} AS category ON category.id = found.category_id
        LEFT JOIN LATERAL (
            SELECT coalesce(
                       min({unit_price}) FILTER (WHERE {variant_match} AND variant.stock > 0),
                       min({unit_price}) FILTER (WHERE {variant_match})
                   ) AS price,
                   array_agg(DISTINCT {unit_price})
                       FILTER (WHERE {variant_match} AND {unit_price} IS NOT NULL) AS prices,
                   jsonb_agg(variant.options ORDER BY variant.position, variant.id)
                       FILTER (WHERE variant.stock > 0) AS options
            {VARIANTS_OF.format(product="found.product_id")}
        ) AS variants ON true
    """


# The vector column that each vector source searches.
_SOURCE_COLUMNS = {"text": "text_vector", "photo": "photo_text_vector"}


def _source_order(name: str, exact: bool, dimensions: int) -> tuple[str, tuple[str, str]]:
    """A vector source's match condition, and what it orders by and the distance it gives
    each product found (ascending: best first; search.retrieval ranks by the distance)."""
    if name == "photo_only":  # served by the partial index on rows without text
        match, ordered = _source_order("photo", exact, dimensions)
        return f"row.text_vector IS NULL AND {match}", ordered
    if name == "like_results":  # the same index, nearest to the centre of the results' photos
        centre = "(SELECT vector FROM centre)"
        match = (
            f"row.text_vector IS NULL AND row.photo_text_vector IS NOT NULL "
            f"AND {centre} IS NOT NULL"
        )
        return match, _ordered("row.photo_text_vector", centre, exact, dimensions)
    column = _SOURCE_COLUMNS[name]
    return f"row.{column} IS NOT NULL", _ordered(
        f"row.{column}", f"%({column})s", exact, dimensions
    )


def _ordered(column: str, query: str, exact: bool, dimensions: int) -> tuple[str, str]:
    """(the order, the distance) of the products nearest `query` in `column`."""
    if exact:
        # "+ 0" hides the distance from the planner's index matching: an exact scan of the
        # filtered rows, which returns every match that an index scan might filter away.
        distance = f"({column} <=> {query}) + 0"
        return distance, distance
    # The index scan walks in the order of the half-precision vectors its index holds; the
    # products it finds are ranked by their full vectors' distance, so that two near the
    # query in the wrong order (the halves' rounding) are put right.
    order = f"({IndexedVector.sql(column, dimensions)} <=> {IndexedVector.sql(query, dimensions)})"
    return order, f"({column} <=> {query})"
